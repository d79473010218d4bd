import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findChromium, type WorkerLiveFrame } from '@fleetwright/shared';
import { BrowserManager, RemoteBrowsers } from '@fleetwright/worker';
import { LiveSessions } from '../dist/live/live-sessions.js';
import { accountProfile } from './support/accounts.js';
import { quietLogger } from './support/quiet-logger.js';
import { RemoteChromium } from './support/remote-chromium.js';
import { SandboxSite } from './support/sandbox-site.js';
import { makeTempDir } from './support/temp-dir.js';
import { waitFor } from './support/wait-for.js';

describe('the live view of an account on a remote browser over CDP', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  });

  it("streams the keep-alive page while no job runs, then the job's page, and stops when nobody watches", async () => {
    const temp = makeTempDir();
    cleanups.push(async () => temp.remove());
    const site = await new SandboxSite().start();
    cleanups.push(() => site.server.close());
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
    const frames: WorkerLiveFrame[] = [];
    const live = new LiveSessions({
      idlePageOf: (accountId) => browsers.keepAlivePageOf(accountId),
      epochOf: () => 3,
      sendFrame: async (frame) => void frames.push(frame),
      logger: quietLogger,
    });
    cleanups.push(() => live.close());
    const profile = accountProfile('acc-1', { fenceToken: 3 });
    await browsers.open(profile);

    await live.setWatching('acc-1', true);
    const idle = await waitFor('a frame of the keep-alive page', () => frames[0]);
    expect(idle).toMatchObject({ accountId: 'acc-1', epoch: 3, seq: 0 });
    expect(Buffer.from(idle.data, 'base64').subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));

    const page = await browsers.newPage(profile);
    live.pageOpened('acc-1', page);
    await page.goto(`${site.url}/login`);
    // A new screencast (its seq starts again) follows the job's page.
    await waitFor("a frame of the job's page", () => frames.slice(1).find((f) => f.seq === 0));
    expect(live.isStreaming('acc-1')).toBe(true);

    await live.setWatching('acc-1', false);
    expect(live.isStreaming('acc-1')).toBe(false);
  });
});
