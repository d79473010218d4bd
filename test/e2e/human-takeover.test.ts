import { afterEach, describe, expect, it } from 'vitest';
import { ClientEvent, ClientRequest } from '@fleetwright/shared';
import { ClientEventRecorder } from '../support/client-event-recorder.js';
import { FleetHarness } from '../support/fleet-harness.js';
import { waitFor } from '../support/wait-for.js';

async function request(client: ClientEventRecorder, event: string, payload: unknown): Promise<{ ok: boolean; data?: any; error?: { code: string } }> {
  return (client.socket.timeout(10_000) as unknown as { emitWithAck(e: string, p: unknown): Promise<any> }).emitWithAck(event, payload);
}

describe('a job that asks for a person', () => {
  let fleet: FleetHarness;
  const clients: ClientEventRecorder[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await fleet?.close();
  });

  async function secondFactorAccount(): Promise<string> {
    await fleet.sandboxAdmin('/users', { handle: 'tess', email: 'tess@sandbox.test', password: 'tess-secret-1', secondFactor: true });
    await fleet.startWorker('w1');
    return (await fleet.api('POST', '/accounts', { platform: 'sandbox', credentials: { username: 'tess', password: 'tess-secret-1' } })).body.id;
  }

  it('fails with HUMAN_TIMEOUT and the reason when nobody takes over in time, without a retry', async () => {
    fleet = await new FleetHarness().start();
    const accountId = await secondFactorAccount();
    const job = await fleet.api('POST', '/jobs', { type: 'login', accountId, payload: { humanTimeoutMs: 1500 } });
    const done = await fleet.waitForJob(job.body.id);
    expect(done).toMatchObject({ status: 'failed', attempt: 1, error: { code: 'HUMAN_TIMEOUT', errorClass: 'timeout' } });
    expect(done.error?.message).toContain('sign-in code from the phone of tess');
  });

  it('is cancelled while it waits: the cancel ends the wait and the takeover of its page', async () => {
    fleet = await new FleetHarness().start();
    const accountId = await secondFactorAccount();
    const events = await ClientEventRecorder.connect(fleet.master.url, fleet.apiToken);
    clients.push(events);
    const job = await fleet.api('POST', '/jobs', { type: 'login', accountId });
    await events.next(ClientEvent.HumanNeeded, (e) => e.jobId === job.body.id);
    expect((await fleet.api('POST', `/accounts/${accountId}/takeover`)).body).toMatchObject({ jobId: job.body.id, heldBy: 'env:FLEET_API_TOKEN' });

    expect((await fleet.api('POST', `/jobs/${job.body.id}/cancel`)).status).toBe(200);
    expect(await fleet.waitForJob(job.body.id)).toMatchObject({ status: 'cancelled' });
    const released = await waitFor('the takeover to end', async () => {
      const view = (await fleet.api('GET', `/accounts/${accountId}/takeover`)).body;
      return view.heldBy === null ? view : undefined;
    });
    expect(released).toEqual({ accountId, jobId: null, heldBy: null, claimedAt: null });
    const timeline = (await fleet.api('GET', `/jobs/${job.body.id}/events?limit=100`)).body.items as { kind: string; data: any }[];
    expect(timeline.find((e) => e.kind === 'takeover_released')?.data).toMatchObject({ by: 'env:FLEET_API_TOKEN', reason: 'job cancelled' });
    // The worker let go of the session too: the account's next job would not wait at the gate.
    expect(fleet.workers[0]!.live.gateOf(accountId).isHeld).toBe(false);
  });
});

describe('what a person types', () => {
  let fleet: FleetHarness;
  const clients: ClientEventRecorder[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await fleet?.close();
  });

  it('never reaches run.log or a trace: a failed attempt a person typed into keeps no trace.zip', async () => {
    fleet = await new FleetHarness().start();
    await fleet.sandboxAdmin('/users', { handle: 'tess', email: 'tess@sandbox.test', password: 'tess-secret-1', secondFactor: true });
    await fleet.startWorker('w1', { trace: 'full' });
    const accountId = (await fleet.api('POST', '/accounts', { platform: 'sandbox', credentials: { username: 'tess', password: 'tess-secret-1' } })).body.id;
    const events = await ClientEventRecorder.connect(fleet.master.url, fleet.apiToken);
    clients.push(events);
    const job = await fleet.api('POST', '/jobs', { type: 'login', accountId, maxAttempts: 1 });
    await events.next(ClientEvent.HumanNeeded, (e) => e.jobId === job.body.id);
    expect((await fleet.api('POST', `/accounts/${accountId}/takeover`)).status).toBe(200);
    const typed = '918273';
    for (const key of [...typed, 'Enter'])
      expect(await request(events, ClientRequest.LiveInput, { accountId, input: { type: 'key', action: 'press', key } })).toEqual({ ok: true });
    expect((await fleet.api('DELETE', `/accounts/${accountId}/takeover`)).status).toBe(200);

    const done = await fleet.waitForJob(job.body.id);
    expect(done).toMatchObject({ status: 'failed', error: { code: 'AUTH_FAILED' } });
    expect(done.artifacts.map((a) => a.name)).not.toContain('trace.zip');
    const runLog = await fetch(`${fleet.master.url}/api/v1/jobs/${job.body.id}/artifacts/run.log`, {
      headers: { authorization: `Bearer ${fleet.apiToken}` },
    }).then((r) => r.text());
    expect(runLog).toContain('trace.zip dropped: a person held the session');
    expect(runLog).not.toContain(typed);
  });
});

describe('the live view', () => {
  let fleet: FleetHarness;
  const clients: ClientEventRecorder[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await fleet?.close();
  });

  it('streams the keep-alive page to its watchers only, lets a viewer watch but not take over, and stops when the last watcher leaves', async () => {
    fleet = await new FleetHarness().start();
    const worker = await fleet.startWorker('w1');
    const accountId = (await fleet.api('POST', '/accounts', { platform: 'sandbox', credentials: { username: 'nobody', password: 'nobody-secret-1' } })).body.id;
    await waitFor('the browser to run', async () => ((await fleet.api('GET', `/accounts/${accountId}`)).body.browser?.state === 'running' ? true : undefined));
    const viewerToken = (await fleet.api('POST', '/tokens', { name: 'watcher', role: 'viewer' })).body.token as string;
    const operator = await ClientEventRecorder.connect(fleet.master.url, fleet.apiToken);
    const viewer = await ClientEventRecorder.connect(fleet.master.url, viewerToken);
    const bystander = await ClientEventRecorder.connect(fleet.master.url, fleet.apiToken);
    clients.push(operator, viewer, bystander);

    expect(await request(viewer, ClientRequest.LiveWatch, { accountId })).toEqual({ ok: true, data: { accountId, watchers: 1 } });
    expect(await request(operator, ClientRequest.LiveWatch, { accountId })).toEqual({ ok: true, data: { accountId, watchers: 2 } });
    const frame = await viewer.next(ClientEvent.LiveFrame, (f) => f.accountId === accountId);
    await operator.next(ClientEvent.LiveFrame, (f) => f.accountId === accountId);
    expect(Buffer.from(frame.data, 'base64').subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    expect(frame.width).toBeGreaterThan(0);

    const claim = await fleet.api('POST', `/accounts/${accountId}/takeover`, undefined, viewerToken);
    expect(claim).toMatchObject({ status: 403, body: { code: 'FORBIDDEN' } });
    expect(await request(viewer, ClientRequest.LiveInput, { accountId, input: { type: 'text', text: 'x' } })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });

    expect((await request(operator, ClientRequest.LiveUnwatch, { accountId })).data).toEqual({ accountId, watchers: 1 });
    expect(worker.live.isStreaming(accountId)).toBe(true);
    viewer.close();
    await waitFor('the screencast to stop', () => (worker.live.isStreaming(accountId) ? undefined : true));
    expect(bystander.all(ClientEvent.LiveFrame)).toEqual([]);
  });
});
