import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findChromium, type StorageState } from '@fleetwright/shared';
import { BrowserManager } from '@fleetwright/worker';
import { accountProfile } from './support/accounts.js';
import { killProcesses, processesMentioning } from './support/chromium-processes.js';
import { quietLogger } from './support/quiet-logger.js';
import { SandboxSite, type SeededUser } from './support/sandbox-site.js';
import { makeTempDir } from './support/temp-dir.js';

const CYCLES = 6;

describe.each(['persistent', 'shared'] as const)('an account hibernated many times (%s mode)', (browserMode) => {
  let temp: ReturnType<typeof makeTempDir>;
  let site: SandboxSite;
  let alice: SeededUser;
  let browsers: BrowserManager;
  const snapshots: { accountId: string; state: StorageState }[] = [];

  beforeEach(async () => {
    temp = makeTempDir();
    site = await new SandboxSite().start();
    alice = await site.addUser('alice');
    snapshots.length = 0;
    browsers = new BrowserManager({
      dataDir: temp.dir,
      chromiumPath: findChromium(),
      browserMode,
      logger: quietLogger,
      onSnapshot: (accountId, state) => {
        snapshots.push({ accountId, state });
        return snapshots.length;
      },
    });
  });

  afterEach(async () => {
    await browsers.close();
    killProcesses(processesMentioning(temp.dir));
    await site.close();
    temp.remove();
  });

  it('stays signed in with its local data, leaves no browser or lock file behind each time, and its directory goes when it leaves', async () => {
    const profile = accountProfile('acc-1');
    const first = await browsers.newPage(profile);
    await site.signIn(first, alice);
    await first.evaluate(() => localStorage.setItem('visits', '0'));
    await first.close();
    const profileDir = browsers.profileDir('acc-1');

    for (let cycle = 1; cycle <= CYCLES; cycle += 1) {
      await browsers.closeContext('acc-1', { snapshot: true });
      expect(browsers.liveCount).toBe(0);
      // Nothing of the account's browser is left running, and in persistent mode the directory
      // stays as a cache without the lock files of a running browser.
      expect(processesMentioning(profileDir)).toEqual([]);
      if (browserMode === 'persistent') {
        expect(existsSync(path.join(profileDir, 'Default'))).toBe(true);
        expect(readdirSync(profileDir).filter((f) => f.startsWith('Singleton'))).toEqual([]);
      } else {
        expect(existsSync(profileDir)).toBe(false);
      }

      const page = await browsers.newPage(profile);
      expect(await site.signedInAs(page)).toBe('alice');
      const visits = await page.evaluate(() => {
        const next = Number(localStorage.getItem('visits')) + 1;
        localStorage.setItem('visits', String(next));
        return next;
      });
      expect(visits).toBe(cycle);
      await page.close();
    }
    expect(snapshots).toHaveLength(CYCLES);
    expect(snapshots.every((s) => s.accountId === 'acc-1')).toBe(true);

    // It leaves the worker: its final state is delivered and its local copy goes.
    const delivered: StorageState[] = [];
    await browsers.retire('acc-1', async (state) => void delivered.push(state));
    expect(delivered).toHaveLength(1);
    expect(delivered[0]!.cookies.length).toBeGreaterThan(0);
    expect(existsSync(profileDir)).toBe(false);
    expect(browsers.hibernatedCount).toBe(0);
  });
});
