import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findChromium, type DeviceProfile } from '@fleetwright/shared';
import { BrowserManager } from '@fleetwright/worker';
import { accountProfile } from './support/accounts.js';
import { quietLogger } from './support/quiet-logger.js';
import { SandboxSite } from './support/sandbox-site.js';
import { makeTempDir } from './support/temp-dir.js';

const device: DeviceProfile = {
  userAgent: 'FleetTest/1.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36',
  viewport: { width: 1000, height: 700 },
  locale: 'de-DE',
  timezoneId: 'Europe/Berlin',
  deviceScaleFactor: 1,
  colorScheme: 'dark',
};

describe('device profile', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let site: SandboxSite;
  let browsers: BrowserManager;

  beforeEach(async () => {
    temp = makeTempDir();
    site = await new SandboxSite().start();
    browsers = new BrowserManager({ dataDir: temp.dir, chromiumPath: findChromium(), logger: quietLogger });
  });

  afterEach(async () => {
    await browsers.close();
    await site.close();
    temp.remove();
  });

  it("shows the account's user agent, viewport, locale, timezone, scale and color scheme to the page", async () => {
    const page = await browsers.newPage(accountProfile('acc-1', { deviceProfile: device }));
    await page.goto(`${site.url}/login`);

    const seen = await page.evaluate(() => ({
      userAgent: navigator.userAgent,
      width: window.innerWidth,
      height: window.innerHeight,
      language: navigator.language,
      timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
      scale: window.devicePixelRatio,
      dark: window.matchMedia('(prefers-color-scheme: dark)').matches,
    }));

    expect(seen).toEqual({ userAgent: device.userAgent, width: 1000, height: 700, language: 'de-DE', timeZone: 'Europe/Berlin', scale: 1, dark: true });
  });

  it('signs in to the sandbox with the profile user agent, which the site records on the session', async () => {
    const alice = await site.addUser('alice');
    const page = await browsers.newPage(accountProfile('acc-1', { deviceProfile: device }));

    await site.signIn(page, alice);

    const sessions = [...site.server.store.sessions.values()];
    expect(sessions).toHaveLength(1);
    expect(sessions[0]!.userAgent).toBe(device.userAgent);
  });
});
