import { afterEach, describe, expect, it } from 'vitest';
import { findChromium, loadConfig } from '@fleetwright/shared';
import { BrowserManager, persistentContextOptions } from '@fleetwright/worker';
import { chromiumSandboxEnabled } from '../dist/browser/launch-options.js';
import { accountProfile } from './support/accounts.js';
import { browserProcessOf } from './support/chromium-processes.js';
import { quietLogger } from './support/quiet-logger.js';
import { makeTempDir } from './support/temp-dir.js';

describe("Chromium's sandbox", () => {
  const launch = { chromiumPath: '/usr/bin/chromium', headless: true, proxy: null, deviceProfile: null };

  it('is on unless the worker runs as root or FLEET_CHROMIUM_SANDBOX=false', () => {
    expect(chromiumSandboxEnabled({ uid: 1000, configured: undefined })).toBe(true);
    expect(chromiumSandboxEnabled({ uid: 1000, configured: true })).toBe(true);
    expect(chromiumSandboxEnabled({ uid: 1000, configured: false })).toBe(false);
    expect(chromiumSandboxEnabled({ uid: 0, configured: true })).toBe(false);
    expect(loadConfig({}).chromiumSandbox).toBe(true);
    expect(loadConfig({ FLEET_CHROMIUM_SANDBOX: 'false' }).chromiumSandbox).toBe(false);
    expect(() => loadConfig({ FLEET_CHROMIUM_SANDBOX: 'maybe' })).toThrow(/FLEET_CHROMIUM_SANDBOX/);
  });

  it('launches without --no-sandbox when the sandbox is on, and with it only when it is off', () => {
    const on = persistentContextOptions({ ...launch, sandbox: true });
    expect(on.chromiumSandbox).toBe(true);
    expect(on.args).not.toContain('--no-sandbox');
    const off = persistentContextOptions({ ...launch, sandbox: false });
    expect(off.chromiumSandbox).toBe(false);
  });

  describe('in a real launch', () => {
    let temp: ReturnType<typeof makeTempDir> | undefined;
    let browsers: BrowserManager | undefined;
    afterEach(async () => {
      await browsers?.close();
      temp?.remove();
    });

    it('runs the browser with --no-sandbox when FLEET_CHROMIUM_SANDBOX=false', async () => {
      temp = makeTempDir();
      browsers = new BrowserManager({ dataDir: temp.dir, chromiumPath: findChromium(), chromiumSandbox: false, logger: quietLogger });
      await browsers.open(accountProfile('acc-1'));
      expect(browserProcessOf(browsers.profileDir('acc-1'))!.argv).toContain('--no-sandbox');
    });
  });
});
