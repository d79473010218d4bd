import { afterEach, describe, expect, it } from 'vitest';
import { ClientEvent, type HumanNeededEvent, type LiveFrameEvent } from '@fleetwright/shared/contract';
import { EventClient, RestClient } from '@fleetwright/client';
import { FleetHarness } from '../../../test/support/fleet-harness.js';
import { waitFor } from '../../../test/support/wait-for.js';

describe('a takeover driven by the typed client, as an upstream system would', () => {
  let fleet: FleetHarness;
  const sockets: EventClient[] = [];
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.close();
    await fleet?.close();
  });

  it('watches the page, claims it, types the second-factor code, hands back, and the login succeeds and stays signed in', async () => {
    fleet = await new FleetHarness().start();
    await fleet.sandboxAdmin('/users', { handle: 'tess', email: 'tess@sandbox.test', password: 'tess-secret-1', secondFactor: true });
    await fleet.startWorker('w1');
    const api = new RestClient({ baseUrl: fleet.master.url, token: fleet.apiToken });
    const events = await new EventClient(fleet.master.url, fleet.apiToken).connect();
    sockets.push(events);
    const needed: HumanNeededEvent[] = [];
    const frames: LiveFrameEvent[] = [];
    events.on(ClientEvent.HumanNeeded, (event) => void needed.push(event));
    events.on(ClientEvent.LiveFrame, (frame) => void frames.push(frame));

    const account = await api.accounts.create({ platform: 'sandbox', credentials: { username: 'tess', password: 'tess-secret-1' } });
    const login = await api.jobs.create({ type: 'login', accountId: account.id });
    const asked = await waitFor('human:needed', () => needed.find((e) => e.jobId === login.id));
    expect(asked.reason).toContain('sign-in code');
    expect((await api.jobs.get(login.id)).progress).toMatchObject({ step: 'waiting for a person', message: asked.reason });

    expect(await events.watch(account.id)).toEqual({ accountId: account.id, watchers: 1 });
    const first = await waitFor('a frame', () => frames.find((f) => f.accountId === account.id));
    expect(Buffer.from(first.data, 'base64').subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));

    await expect(events.input(account.id, { type: 'text', text: '1' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(await api.accounts.claim(account.id)).toMatchObject({ accountId: account.id, jobId: login.id, heldBy: 'env:FLEET_API_TOKEN' });
    const phone = await fetch(`${fleet.sandbox.url}/phone/tess`).then((r) => r.text());
    const code = /id="phone-code">(\d{6})</.exec(phone)?.[1] ?? '';
    expect(code).toMatch(/^\d{6}$/);
    const seen = frames.length;
    await events.type(account.id, code);
    await events.input(account.id, { type: 'key', action: 'press', key: 'Enter' });
    // The frames follow the page: the typed code changes what the screencast shows.
    await waitFor('a new frame', () => (frames.length > seen ? true : undefined));
    const released = await api.accounts.release(account.id);
    expect(released).toMatchObject({ accountId: account.id, heldBy: null });

    const done = await fleet.waitForJob(login.id, undefined, 30_000);
    expect(done).toMatchObject({ status: 'succeeded', result: { loggedIn: true, handle: 'tess', skipped: false } });
    const timeline = (await api.jobs.events(login.id, { limit: 100 })).items.map((e) => e.kind);
    expect(timeline).toEqual(expect.arrayContaining(['human_needed', 'takeover_claimed', 'takeover_released']));
    const release = (await api.jobs.events(login.id, { limit: 100 })).items.find((e) => e.kind === 'takeover_released');
    expect(release?.data).toMatchObject({ by: 'env:FLEET_API_TOKEN', reason: 'done', heldMs: expect.any(Number) });

    const again = await api.jobs.create({ type: 'login', accountId: account.id });
    expect(await fleet.waitForJob(again.id)).toMatchObject({ status: 'succeeded', result: { skipped: true } });
    const log = await api.jobs.artifactText(login.id, 'run.log');
    expect(log).not.toContain(code);
  });
});
