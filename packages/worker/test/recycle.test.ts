import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findChromium } from '@fleetwright/shared';
import { BrowserManager } from '@fleetwright/worker';
import { accountProfile } from './support/accounts.js';
import { quietLogger } from './support/quiet-logger.js';
import { SandboxSite, type SeededUser } from './support/sandbox-site.js';
import { makeTempDir } from './support/temp-dir.js';

describe('context recycling', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let site: SandboxSite;
  let alice: SeededUser;
  let browsers: BrowserManager | undefined;

  beforeEach(async () => {
    temp = makeTempDir();
    site = await new SandboxSite().start();
    alice = await site.addUser('alice');
  });
  afterEach(async () => {
    await browsers?.close();
    await site.server.close();
    temp.remove();
  });

  it('recycles a context after recycleAfterJobs jobs and reopens it still signed in', async () => {
    const snapshots: string[] = [];
    browsers = new BrowserManager({
      dataDir: temp.dir,
      chromiumPath: findChromium(),
      recycleAfterJobs: 2,
      logger: quietLogger,
      onSnapshot: (id) => void snapshots.push(id),
    });
    const profile = accountProfile('acc-1');
    const first = await browsers.newPage(profile);
    await site.signIn(first, alice);
    await first.close();
    expect(await browsers.jobFinished('acc-1')).toBe(false);
    expect(browsers.liveCount).toBe(1);

    const second = await browsers.newPage(profile);
    await second.close();
    expect(await browsers.jobFinished('acc-1')).toBe(true);
    expect(browsers.liveCount).toBe(0);
    expect(snapshots).toEqual(['acc-1']);

    const reopened = await browsers.newPage(profile);
    expect(await site.signedInAs(reopened)).toBe('alice');
  });

  it('recycles a context that has been open longer than recycleAfterMs', async () => {
    browsers = new BrowserManager({ dataDir: temp.dir, chromiumPath: findChromium(), recycleAfterMs: 1, logger: quietLogger });
    const page = await browsers.newPage(accountProfile('acc-1'));
    await page.close();
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await browsers.jobFinished('acc-1')).toBe(true);
    expect(browsers.liveCount).toBe(0);
  });
});
