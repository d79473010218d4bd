import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findChromium } from '@fleetwright/shared';
import { BrowserManager, RemoteBrowsers } from '@fleetwright/worker';
import { accountProfile } from './support/accounts.js';
import { quietLogger } from './support/quiet-logger.js';
import { RemoteChromium, TestBrowserLauncher } from './support/remote-chromium.js';
import { SandboxSite, type SeededUser } from './support/sandbox-site.js';
import { makeTempDir } from './support/temp-dir.js';

const device = {
  userAgent: 'FleetRemote/1.0',
  viewport: { width: 1000, height: 700 },
  locale: 'en-GB',
  timezoneId: 'Europe/London',
  deviceScaleFactor: 1,
  colorScheme: 'light' as const,
};

describe('remote browsers over CDP', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let site: SandboxSite;
  let alice: SeededUser;
  const cleanups: (() => Promise<unknown>)[] = [];

  beforeEach(async () => {
    temp = makeTempDir();
    site = await new SandboxSite().start();
    alice = await site.addUser('alice');
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
    await site.server.close();
    temp.remove();
  });

  it('runs an account in its own context on an externally started Chromium, with its device profile and fence header', async () => {
    const external = await new RemoteChromium(path.join(temp.dir, 'external')).start();
    cleanups.push(() => external.stop());
    const browsers = new BrowserManager({
      dataDir: temp.dir,
      chromiumPath: findChromium(),
      logger: quietLogger,
      fenceOriginsOf: () => [site.url],
      remote: new RemoteBrowsers({ cdpUrl: external.httpUrl, logger: quietLogger }),
    });
    cleanups.push(() => browsers.close());
    const profile = accountProfile('acc-1', { deviceProfile: device, fenceToken: 7 });

    const page = await browsers.newPage(profile);
    await site.signIn(page, alice);
    expect(await page.evaluate(() => navigator.userAgent)).toBe('FleetRemote/1.0');
    expect(await site.signedInAs(page)).toBe('alice');
    const report = await site.fenceReport();
    expect(report.requestsWithFence).toBeGreaterThan(0);
    expect(report.violations).toEqual([]);
    const state = await browsers.snapshot('acc-1');
    expect(state.cookies.map((c) => c.name)).toContain('sandbox_sid');

    // Closing the account's context leaves the external browser running: it is not ours to stop.
    await browsers.closeContext('acc-1');
    expect(browsers.liveCount).toBe(0);
    expect(external.alive).toBe(true);

    // Reopened from the snapshot, the account is still signed in.
    const again = await browsers.newPage({ ...profile, storageState: state });
    expect(await site.signedInAs(again)).toBe('alice');
  });

  it('asks an HTTP launcher for a browser per profile and stops it when the context closes', async () => {
    const launcher = new TestBrowserLauncher(temp.dir);
    const url = await launcher.start();
    cleanups.push(() => launcher.close());
    const browsers = new BrowserManager({
      dataDir: temp.dir,
      chromiumPath: findChromium(),
      logger: quietLogger,
      remote: new RemoteBrowsers({ launcherUrl: url, logger: quietLogger }),
    });
    cleanups.push(() => browsers.close());

    const page = await browsers.newPage(accountProfile('acc-9', { deviceProfile: device }));
    await site.signIn(page, alice);
    expect(await site.signedInAs(page)).toBe('alice');
    expect(launcher.calls).toEqual(['start acc-9']);
    const remote = launcher.browsers.get('acc-9')!;
    expect(remote.alive).toBe(true);

    await browsers.closeContext('acc-9');
    expect(launcher.calls).toEqual(['start acc-9', 'stop acc-9']);
    expect(remote.alive).toBe(false);
  });
});
