import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findChromium } from '@fleetwright/shared';
import { BrowserManager } from '@fleetwright/worker';
import type { BrowserManagerOptions } from '../dist/browser/browser-manager-options.js';
import { processTreePssBytes } from '../dist/browser/process-memory.js';
import { accountProfile } from './support/accounts.js';
import { killProcesses, processesMentioning } from './support/chromium-processes.js';
import { quietLogger } from './support/quiet-logger.js';
import { SandboxSite, type SeededUser } from './support/sandbox-site.js';
import { makeTempDir } from './support/temp-dir.js';
import { waitFor } from './support/wait-for.js';

describe('BrowserManager under a memory limit', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let site: SandboxSite;
  let alice: SeededUser;
  const managers: BrowserManager[] = [];

  function manager(options: Partial<BrowserManagerOptions> = {}): BrowserManager {
    const created = new BrowserManager({ dataDir: temp.dir, chromiumPath: findChromium(), closeTimeoutMs: 5000, logger: quietLogger, ...options });
    managers.push(created);
    return created;
  }

  beforeEach(async () => {
    temp = makeTempDir();
    site = await new SandboxSite().start();
    alice = await site.addUser('alice');
  });

  afterEach(async () => {
    await Promise.allSettled(managers.splice(0).map((m) => m.close()));
    killProcesses(processesMentioning(temp.dir));
    await site.close();
    temp.remove();
  });

  it("measures a browser's memory as PSS over its whole process tree", async () => {
    const browsers = manager({ memoryLimitMb: 100_000 });
    expect(browsers.memoryReading()).toMatchObject({ usedBytes: 0, underPressure: false });
    await browsers.open(accountProfile('acc-1'));
    const reading = browsers.memoryReading();
    const browser = processesMentioning(browsers.profileDir('acc-1')).find((p) => !p.argv.join(' ').includes('--type='))!;
    // More than the browser process alone: its renderers, GPU and utility processes count too.
    expect(reading.usedBytes).toBeGreaterThan(processTreePssBytes([]) + 20 * 1024 * 1024);
    expect(reading.usedBytes).toBeGreaterThan(processTreePssBytes([browser.pid]) * 0.5);
    expect(reading.limitBytes).toBe(100_000 * 1024 * 1024);
  });

  it.each(['persistent', 'shared'] as const)(
    'hibernates to stay under the limit in %s mode, and every account still gets its page, signed in',
    async (browserMode) => {
      // Room for one context and not two: each job's account must push the previous one out.
      const browsers = manager({ browserMode, memoryLimitMb: 1, maxLiveContexts: 10, onSnapshot: () => 1 });
      const profiles = ['acc-1', 'acc-2', 'acc-3', 'acc-4'].map((id) => accountProfile(id));
      const first = await browsers.newPage(profiles[0]!);
      await site.signIn(first, alice);
      await first.close();
      for (const profile of profiles.slice(1)) {
        const page = await browsers.newPage(profile);
        await page.goto(`${site.url}/login`);
        await page.close();
        expect(browsers.liveCount).toBe(1);
      }
      expect(browsers.hibernatedCount).toBe(3);
      expect(browsers.memoryReading().underPressure).toBe(true);
      // The first account comes back from its hibernation snapshot, still signed in.
      const again = await browsers.newPage(profiles[0]!);
      expect(await site.signedInAs(again)).toBe('alice');
      await again.close();
    },
  );

  it('makes a launch wait for room while every context is busy, bounded and cancellable', async () => {
    const browsers = manager({ memoryLimitMb: 1, memoryWaitMs: 1500 });
    const busy = await browsers.newPage(accountProfile('acc-1')); // held: nothing idle to hibernate

    await expect(browsers.newPage(accountProfile('acc-2'))).rejects.toMatchObject({ code: 'NO_CAPACITY', retryable: true });
    const cancel = new AbortController();
    const waiting = browsers.newPage(accountProfile('acc-3'), cancel.signal);
    cancel.abort(new Error('the job was cancelled'));
    await expect(waiting).rejects.toThrow('the job was cancelled');

    // Once the busy page closes its context is idle: the next launch hibernates it and goes on.
    await busy.close();
    const page = await browsers.newPage(accountProfile('acc-2'));
    expect(browsers.liveAccountIds()).toContain('acc-2');
    await page.close();
    await waitFor('acc-1 hibernated', () => (browsers.liveAccountIds().includes('acc-1') ? undefined : true));
  });

  it('hibernates a context idle longer than contextIdleMs by itself', async () => {
    const browsers = manager({ contextIdleMs: 300, onSnapshot: () => 1 });
    const profile = accountProfile('acc-1');
    const page = await browsers.newPage(profile);
    await site.signIn(page, alice);
    await page.close();
    await waitFor('the idle context to hibernate', () => (browsers.hibernatedCount === 1 ? true : undefined));
    expect(browsers.liveCount).toBe(0);
    expect(browsers.states.get('acc-1').state).toBe('stopped');
    const again = await browsers.newPage(profile);
    expect(await site.signedInAs(again)).toBe('alice');
    await again.close();
  });
});
