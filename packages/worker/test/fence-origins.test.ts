import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FleetError, findChromium } from '@fleetwright/shared';
import { BrowserManager, createSandboxPlugin } from '@fleetwright/worker';
import { checkPlugin } from '../dist/platforms/load-plugins.js';
import { accountProfile } from './support/accounts.js';
import { HeaderRecorder } from './support/header-recorder.js';
import { quietLogger } from './support/quiet-logger.js';
import { SandboxSite } from './support/sandbox-site.js';
import { makeTempDir } from './support/temp-dir.js';
import { waitFor } from './support/wait-for.js';

describe('X-Fleet-Fence goes only to fence-aware origins', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let site: SandboxSite;
  let other: HeaderRecorder;
  let otherUrl: string;
  let browsers: BrowserManager | undefined;

  beforeEach(async () => {
    temp = makeTempDir();
    site = await new SandboxSite().start();
    other = new HeaderRecorder();
    otherUrl = await other.start();
  });
  afterEach(async () => {
    await browsers?.close();
    browsers = undefined;
    await other.close();
    await site.close();
    temp.remove();
  });

  it("sends the fence to the sandbox plugin's site and not to another local origin the page contacts", async () => {
    const plugin = createSandboxPlugin({ baseUrl: site.url });
    browsers = new BrowserManager({ dataDir: temp.dir, chromiumPath: findChromium(), logger: quietLogger, fenceOriginsOf: () => plugin.fenceOrigins ?? [] });
    const page = await browsers.newPage(accountProfile('acc-1', { fenceToken: 7 }));

    await site.signIn(page, await site.addUser('alice')); // the oracle counts signed-in requests
    const before = (await site.fenceReport()).requestsWithFence;
    await page.goto(`${otherUrl}/`); // its page loads an image, a script, and fetch()es
    await waitFor('the other page to call /api', () => (other.requests.some((r) => r.path === '/api') ? true : undefined));
    await page.goto(`${site.url}/home`);

    expect(plugin.fenceOrigins).toEqual([new URL(site.url).origin]);
    expect(other.requests.map((r) => r.path)).toEqual(expect.arrayContaining(['/', '/pixel.gif', '/app.js', '/api']));
    expect(other.requests.filter((r) => r.fence !== undefined)).toEqual([]);
    expect(before).toBeGreaterThanOrEqual(1);
    expect((await site.fenceReport()).requestsWithFence).toBeGreaterThan(before);
  });

  it('sends no fence at all for an account whose plugin declares no fence-aware origin', async () => {
    browsers = new BrowserManager({ dataDir: temp.dir, chromiumPath: findChromium(), logger: quietLogger });
    const page = await browsers.newPage(accountProfile('acc-1', { fenceToken: 7 }));

    await page.goto(`${otherUrl}/`);
    await site.signIn(page, await site.addUser('alice'));
    await page.goto(`${site.url}/home`);

    expect(other.requests.length).toBeGreaterThan(0);
    expect(other.requests.filter((r) => r.fence !== undefined)).toEqual([]);
    expect((await site.fenceReport()).requestsWithFence).toBe(0);
  });

  it('refuses a plugin whose fenceOrigins are not origins, naming it', () => {
    const jobs = createSandboxPlugin({ baseUrl: 'http://127.0.0.1:1' }).jobs;
    for (const fenceOrigins of [['https://example.test/path'], ['example.test'], ['ftp://example.test'], 'https://example.test']) {
      let error: unknown;
      try {
        checkPlugin({ platform: 'other', jobs, fenceOrigins }, './other.js');
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(FleetError);
      expect((error as FleetError).message).toMatch(/\.\/other\.js.*fenceOrigins/);
    }
    expect(checkPlugin({ platform: 'other', jobs, fenceOrigins: ['https://example.test', 'http://127.0.0.1:3100/'] }, './other.js').platform).toBe('other');
  });
});
