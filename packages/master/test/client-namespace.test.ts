import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ClientEvent, ClientRequest, type JobCreate, type JobDoneEvent, type JobProgressEvent } from '@fleetwright/shared';
import { MasterFixture, type ClientSocket } from './support/master-fixture.js';
import { waitUntil } from './support/wait-until.js';

describe('the /client namespace: authenticated job requests and live job events', () => {
  let fx: MasterFixture;
  beforeEach(async () => {
    fx = await MasterFixture.start();
  });
  afterEach(async () => {
    await fx?.close();
  });

  function connect(socket: ClientSocket): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no connect within 5 s')), 5_000);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.once('connect_error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      socket.connect();
    });
  }

  it('refuses a client with a wrong API token with connect_error UNAUTHORIZED', async () => {
    const error = await connect(fx.client('fwa_wrong')).then(
      () => undefined,
      (e: Error & { data?: { code?: string } }) => e,
    );
    expect(error?.data).toMatchObject({ code: 'UNAUTHORIZED', message: expect.any(String) });
  });

  it('answers job:create with a bad payload with an error naming the field, and keeps the socket', async () => {
    const client = fx.client();
    await connect(client);
    const account = await fx.createAccount();

    const noTarget = await client.timeout(5_000).emitWithAck(ClientRequest.JobCreate, { type: 'crawl' });
    expect(noTarget).toEqual({ ok: false, error: expect.objectContaining({ code: 'VALIDATION_FAILED', field: 'accountId' }) });
    const badType = await client.timeout(5_000).emitWithAck(ClientRequest.JobCreate, { type: 'Not A Type', accountId: account.id } as JobCreate);
    expect(badType).toEqual({ ok: false, error: expect.objectContaining({ code: 'VALIDATION_FAILED', field: 'type' }) });
    const unknown = await client.timeout(5_000).emitWithAck(ClientRequest.JobCreate, { type: 'crawl', accountId: 'no-such-account' });
    expect(unknown).toEqual({ ok: false, error: expect.objectContaining({ code: 'ACCOUNT_NOT_FOUND', field: 'accountId' }) });

    expect(client.connected).toBe(true);
    expect((await fx.api('GET', '/jobs')).body.items).toEqual([]);
  });

  it('creates a job with job:create and then streams its job:progress and job:done', async () => {
    const client = fx.client();
    const progress: JobProgressEvent[] = [];
    const done: JobDoneEvent[] = [];
    client.on(ClientEvent.JobProgress, (event) => progress.push(event));
    client.on(ClientEvent.JobDone, (event) => done.push(event));
    await connect(client);
    const worker = await fx.worker('w1').start();
    const account = await fx.createAccount();

    const ack = await client.timeout(5_000).emitWithAck(ClientRequest.JobCreate, { type: 'crawl', accountId: account.id, payload: { depth: 1 } });
    if (!ack.ok) throw new Error(`job:create refused: ${JSON.stringify(ack.error)}`);
    expect(ack.data).toMatchObject({ type: 'crawl', accountId: account.id, status: 'queued', payload: { depth: 1 } });
    const jobId = ack.data.id;

    const run = await worker.waitForRun(0);
    expect(run.jobId).toBe(jobId);
    await waitUntil('job running', async () => ((await fx.job(jobId)).status === 'running' ? true : undefined));
    expect((await worker.progress(run, 50, 'halfway', 'page 1 of 2')).ok).toBe(true);
    expect((await worker.succeed(run, { comments: 3 })).ok).toBe(true);

    const finished = await waitUntil(ClientEvent.JobDone, () => done.find((d) => d.id === jobId));
    expect(finished).toMatchObject({ id: jobId, status: 'succeeded', result: { comments: 3 }, workerId: 'w1' });
    const mine = progress.filter((p) => p.jobId === jobId);
    expect(mine).toContainEqual({ jobId, accountId: account.id, status: 'running', progress: { percent: 50, step: 'halfway', message: 'page 1 of 2' } });
    expect(mine.map((p) => p.status)).toEqual(expect.arrayContaining(['queued', 'dispatched', 'running', 'succeeded']));
    expect(done).toHaveLength(1);
  });
});
