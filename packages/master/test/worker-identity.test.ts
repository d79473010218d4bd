import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MasterFixture } from './support/master-fixture.js';
import type { SimulatedWorker } from './support/simulated-worker.js';
import { waitUntil } from './support/wait-until.js';

describe('each worker id has its own credential; the fleet token only enrolls', () => {
  let fx: MasterFixture;
  beforeEach(async () => {
    fx = await MasterFixture.start();
  });
  afterEach(async () => {
    await fx?.close();
  });

  async function enroll(workerId: string, token: string = fx.workerToken): Promise<{ status: number; body: any }> {
    const res = await fetch(`${fx.url}/api/v1/worker/enroll`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ workerId }),
      signal: AbortSignal.timeout(5000),
    });
    return { status: res.status, body: await res.json() };
  }

  async function refusal(worker: SimulatedWorker): Promise<{ code?: string } | undefined> {
    try {
      await worker.connect();
    } catch (error) {
      return (error as { data?: { code?: string } }).data;
    }
    throw new Error('the master accepted the connection');
  }

  it('refuses a second connection that claims a live worker id with the fleet token, keeps the live worker, and never sends it an account', async () => {
    const { body } = await enroll('w1');
    const real = fx.worker('w1', { token: body.credential });
    await real.connect();
    await real.register();
    const account = await fx.createAccount({ platform: 'sandbox', credentials: { username: 'alice', password: 'pw-of-alice-1' } });
    await waitUntil('the real worker holds the account', async () => real.assigns.find((a) => a.accountId === account.id), 5000);

    const impostor = fx.worker('w1');
    expect(await refusal(impostor)).toMatchObject({ code: 'UNAUTHORIZED' });
    expect(real.socket.connected).toBe(true);
    expect(impostor.assigns).toEqual([]);
    // The real worker keeps working: its heartbeat is still accepted.
    expect((await real.heartbeat()).ok).toBe(true);
  });

  it('enrolls an id once: a second enrollment of an id in use answers 409 naming workerId; a wrong fleet token 401', async () => {
    const first = await enroll('w2');
    expect(first.status).toBe(201);
    expect(first.body).toEqual({ workerId: 'w2', credential: expect.stringMatching(/^fwc_/) });
    const worker = fx.worker('w2', { token: first.body.credential });
    await worker.connect();
    const again = await enroll('w2');
    expect(again).toMatchObject({ status: 409, body: { code: 'CONFLICT', field: 'workerId' } });
    expect((await enroll('w3', 'fww_wrong')).status).toBe(401);
    // Only the hash is stored.
    const row = fx.master.store.db.prepare('SELECT token_hash FROM worker_credentials WHERE worker_id = ?').get('w2') as { token_hash: string };
    expect(row.token_hash).not.toContain(first.body.credential);
    expect(row.token_hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses a credential presented for another worker id', async () => {
    const { body } = await enroll('w4');
    expect(await refusal(fx.worker('w5', { token: body.credential }))).toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('lets an admin revoke a credential: its live socket is cut, the old credential is refused, and the id can enroll again', async () => {
    const { body } = await enroll('w6');
    const worker = fx.worker('w6', { token: body.credential });
    await worker.connect();
    await worker.register();
    const viewer = (await fx.api('POST', '/tokens', { name: 'v', role: 'viewer' })).body.token as string;
    expect((await fx.api('DELETE', '/workers/w6/credential', undefined, viewer)).status).toBe(403);
    expect((await fx.api('DELETE', '/workers/w6/credential')).status).toBe(204);
    await waitUntil('the revoked worker is disconnected', async () => !worker.socket.connected, 5000);
    expect(await refusal(fx.worker('w6', { token: body.credential }))).toMatchObject({ code: 'UNAUTHORIZED' });
    expect((await enroll('w6')).status).toBe(201);
    expect((await fx.api('DELETE', '/workers/nobody/credential')).status).toBe(404);
  });

  it('refuses artifact uploads from a worker that presents another id or no credential of its own', async () => {
    const { body } = await enroll('w7');
    const worker = fx.worker('w7', { token: body.credential });
    await worker.connect();
    await worker.register();
    const account = await fx.createAccount({ platform: 'sandbox' });
    const job = await fx.createJob({ type: 'crawl', accountId: account.id });
    await waitUntil('the job reaches the worker', async () => worker.runs.find((r) => r.jobId === job.id), 5000);
    const put = (workerId: string, token: string): Promise<Response> =>
      fetch(`${fx.url}/api/v1/worker/jobs/${job.id}/artifacts/run.log`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${token}`, 'x-fleet-worker': workerId, 'x-fleet-attempt': '1' },
        body: 'x',
        signal: AbortSignal.timeout(5000),
      });
    // The fleet token no longer speaks for an id whose credential is in use.
    expect((await put('w7', fx.workerToken)).status).toBe(401);
    expect((await put('w8', body.credential)).status).toBe(401);
    expect((await put('w7', body.credential)).status).toBe(201);
  });
});
