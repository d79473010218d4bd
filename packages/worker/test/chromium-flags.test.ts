import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findChromium } from '@fleetwright/shared';
import { BrowserManager } from '@fleetwright/worker';
import { accountProfile } from './support/accounts.js';
import { browserProcessOf, killProcesses, processesMentioning } from './support/chromium-processes.js';
import { quietLogger } from './support/quiet-logger.js';
import { makeTempDir } from './support/temp-dir.js';

/** Flags that let renderers of different sites share a process: never on unless an operator asks. */
const ISOLATION_WEAKENING = ['--renderer-process-limit', '--disable-site-isolation-trials', '--process-per-site', '--single-process', '--no-zygote'];

describe("the worker's Chromium flags", () => {
  let temp: ReturnType<typeof makeTempDir>;
  let browsers: BrowserManager;

  beforeEach(() => {
    temp = makeTempDir();
    browsers = new BrowserManager({ dataDir: temp.dir, chromiumPath: findChromium(), logger: quietLogger });
  });

  afterEach(async () => {
    await browsers.close();
    killProcesses(processesMentioning(temp.dir));
    temp.remove();
  });

  it('runs the network service in the browser process and no spare renderer, merged into one list of each with Playwright’s own', async () => {
    await browsers.open(accountProfile('acc-1'));
    const argv = browserProcessOf(browsers.profileDir('acc-1'))!.argv;
    const list = (flag: string) => argv.filter((a) => a.startsWith(`${flag}=`)).map((a) => a.slice(flag.length + 1).split(','));
    expect(list('--enable-features')).toHaveLength(1);
    expect(list('--enable-features')[0]).toEqual(expect.arrayContaining(['NetworkServiceInProcess2', 'CDPScreenshotNewSurface']));
    expect(list('--disable-features')).toHaveLength(1);
    expect(list('--disable-features')[0]).toEqual(expect.arrayContaining(['SpareRendererForSitePerProcess', 'WebUIOmniboxPopup', 'PaintHolding']));
    // No separate network process is left under the browser.
    const children = processesMentioning(browsers.profileDir('acc-1')).map((p) => p.argv.join(' '));
    expect(children.some((c) => c.includes('--utility-sub-type=network.mojom.NetworkService'))).toBe(false);
  });

  it('keeps site isolation: no flag that lets sites share a renderer', async () => {
    await browsers.open(accountProfile('acc-1'));
    const argv = processesMentioning(browsers.profileDir('acc-1')).flatMap((p) => p.argv.join(' ').split(' '));
    for (const flag of ISOLATION_WEAKENING) expect(argv.filter((a) => a === flag || a.startsWith(`${flag}=`))).toEqual([]);
  });
});
