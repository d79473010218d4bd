import { spawn } from 'node:child_process';
import { lstatSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findChromium, type StorageState } from '@fleetwright/shared';
import { BrowserManager } from '@fleetwright/worker';
import { accountProfile } from './support/accounts.js';
import { browserProcessOf, killProcesses, processesMentioning } from './support/chromium-processes.js';
import { quietLogger } from './support/quiet-logger.js';
import { makeTempDir } from './support/temp-dir.js';
import { waitFor } from './support/wait-for.js';

/** Whether the path exists, as a link too: Chromium's singleton files are symlinks to nowhere. */
function present(file: string): boolean {
  try {
    lstatSync(file);
    return true;
  } catch {
    return false;
  }
}

/** A Chromium on `dir` in its own session, as a SIGKILLed worker's would be left: nobody's child. */
async function strayChromium(dir: string): Promise<number> {
  mkdirSync(dir, { recursive: true });
  const child = spawn(
    findChromium(),
    ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', `--user-data-dir=${dir}`, '--remote-debugging-port=0', 'about:blank'],
    { detached: true, stdio: 'ignore' },
  );
  child.unref();
  // Up once it holds the profile: Chromium's singleton lock names it.
  await waitFor('the stray Chromium to hold its profile', () => (present(path.join(dir, 'SingletonLock')) ? true : undefined), 15_000);
  return child.pid!;
}

/** Running, not merely a zombie the test process (the stray's parent) has not reaped yet. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

describe('browsers left behind', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let other: ReturnType<typeof makeTempDir>;
  const managers: BrowserManager[] = [];

  function manager(): BrowserManager {
    const created = new BrowserManager({ dataDir: temp.dir, chromiumPath: findChromium(), closeTimeoutMs: 5000, logger: quietLogger });
    managers.push(created);
    return created;
  }

  beforeEach(() => {
    temp = makeTempDir();
    other = makeTempDir();
  });

  afterEach(async () => {
    await Promise.allSettled(managers.splice(0).map((m) => m.close()));
    killProcesses([...processesMentioning(temp.dir), ...processesMentioning(other.dir)]);
    temp.remove();
    other.remove();
  });

  it("kills a dead predecessor's Chromium on its own profile before it launches, and leaves another directory's alone", async () => {
    const browsers = manager();
    const leftover = await strayChromium(browsers.profileDir('acc-1'));
    const unrelated = await strayChromium(path.join(other.dir, 'acc-1'));

    const page = await browsers.newPage(accountProfile('acc-1'));

    expect(await page.evaluate(() => 6 * 7)).toBe(42);
    expect(alive(leftover)).toBe(false);
    // Only the manager's own browser runs on its profiles now.
    const onProfile = processesMentioning(browsers.profileDir('acc-1')).filter(
      (p) => p.argv.some((a) => a === `--user-data-dir=${browsers.profileDir('acc-1')}`) && !p.argv.some((a) => a.startsWith('--type=')),
    );
    expect(onProfile.map((p) => p.pid)).toEqual([browserProcessOf(browsers.profileDir('acc-1'))!.pid]);
    expect(alive(unrelated)).toBe(true);
    expect(processesMentioning(other.dir).length).toBeGreaterThan(0);
  });

  it('reaps on start() alone, and removes the singleton files the dead browser left', async () => {
    const browsers = manager();
    const dir = browsers.profileDir('acc-2');
    const leftover = await strayChromium(dir);

    await browsers.start();

    expect(alive(leftover)).toBe(false);
    expect(processesMentioning(dir)).toEqual([]);
    expect(present(path.join(dir, 'SingletonLock'))).toBe(false);
    expect(present(path.join(dir, 'SingletonSocket'))).toBe(false);
  });

  it('leaves no browser running when a launch fails after Chromium started', async () => {
    const browsers = manager();
    // A state whose cookie Playwright refuses: the failure comes after the browser is up.
    const broken = { cookies: [{ name: 'sid', value: 'x' }], origins: [] } as unknown as StorageState;

    await expect(browsers.open(accountProfile('acc-1', { storageState: broken, storageStateVersion: 1 }))).rejects.toThrow();

    expect(browsers.liveCount).toBe(0);
    await waitFor('the half-launched browser to be gone', () => (processesMentioning(browsers.profileDir('acc-1')).length === 0 ? true : undefined), 5000);
    // And the account opens cleanly afterwards.
    const page = await browsers.newPage(accountProfile('acc-1'));
    expect(await page.evaluate(() => 1 + 1)).toBe(2);
  });

  it('closes a context that was still launching when its close was asked for', async () => {
    const browsers = manager();
    const opening = browsers.open(accountProfile('acc-1'));

    await browsers.closeContext('acc-1', { snapshot: false });
    await opening;

    expect(browsers.liveCount).toBe(0);
    await waitFor('the browser to be gone', () => (processesMentioning(browsers.profileDir('acc-1')).length === 0 ? true : undefined), 5000);
  });
});
