import { afterEach, describe, expect, it } from 'vitest';
import { FleetHarness } from '../support/fleet-harness.js';

describe('FLEET_RECORD_VIDEO', () => {
  let fleet: FleetHarness;
  afterEach(async () => {
    await fleet?.close();
  });

  it("on-failure keeps a failed attempt's video (JPEG frames) for operators only, and no video of a success", async () => {
    fleet = await new FleetHarness().start();
    await fleet.sandboxAdmin('/users', { handle: 'vera', email: 'vera@sandbox.test', password: 'vera-secret-1' });
    await fleet.startWorker('w1', { recordVideo: 'on-failure' });
    const good = (await fleet.api('POST', '/accounts', { platform: 'sandbox', credentials: { username: 'vera', password: 'vera-secret-1' } })).body.id;
    const bad = (await fleet.api('POST', '/accounts', { platform: 'sandbox', credentials: { username: 'vera', password: 'wrong-secret-1' } })).body.id;
    const ok = await fleet.waitForJob((await fleet.api('POST', '/jobs', { type: 'login', accountId: good })).body.id);
    const failed = await fleet.waitForJob((await fleet.api('POST', '/jobs', { type: 'login', accountId: bad, maxAttempts: 1 })).body.id);
    expect(ok.status).toBe('succeeded');
    expect(failed).toMatchObject({ status: 'failed', error: { code: 'AUTH_FAILED' } });
    expect(ok.artifacts.map((a) => a.name)).not.toContain('video.mjpeg');
    expect(failed.artifacts.map((a) => a.name)).toContain('video.mjpeg');

    const url = `${fleet.master.url}/api/v1/jobs/${failed.id}/artifacts/video.mjpeg`;
    const res = await fetch(url, { headers: { authorization: `Bearer ${fleet.apiToken}` } });
    expect(res.headers.get('content-type')).toBe('video/x-motion-jpeg');
    const video = Buffer.from(await res.arrayBuffer());
    // Motion JPEG: one JPEG after another, each starting with its SOI marker.
    expect(video.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
    const viewer = (await fleet.api('POST', '/tokens', { name: 'watcher', role: 'viewer' })).body.token as string;
    expect((await fetch(url, { headers: { authorization: `Bearer ${viewer}` } })).status).toBe(403);
  });
});
