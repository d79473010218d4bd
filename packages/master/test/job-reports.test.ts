import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ClientEvent, WorkerEvent, type JobLogEvent, type JobRun } from '@fleetwright/shared';
import { MasterFixture } from './support/master-fixture.js';
import type { SimulatedWorker } from './support/simulated-worker.js';
import { waitUntil } from './support/wait-until.js';

describe('worker reports about jobs are applied once, and only from the owner at the current epoch', () => {
  let fx: MasterFixture;
  beforeEach(async () => {
    fx = await MasterFixture.start();
  });
  afterEach(async () => {
    await fx?.close();
  });

  /** A worker w1 that owns one account and has been sent one crawl job. */
  async function dispatchedJob(options: { autoAckRun?: boolean } = {}): Promise<{ worker: SimulatedWorker; run: JobRun; jobId: string }> {
    const worker = await fx.worker('w1', options).start();
    const account = await fx.createAccount();
    const job = await fx.createJob({ type: 'crawl', accountId: account.id });
    const run = await worker.waitForRun(0);
    if (options.autoAckRun !== false) await waitUntil('job running', async () => ((await fx.job(job.id)).status === 'running' ? true : undefined));
    return { worker, run, jobId: job.id };
  }

  it('moves a dispatched job to running on its first progress report and stores the progress', async () => {
    const { worker, run, jobId } = await dispatchedJob({ autoAckRun: false });
    expect((await fx.job(jobId)).status).toBe('dispatched');

    expect(await worker.progress(run, 40, 'crawling', 'page 2 of 5')).toEqual({ ok: true });
    const job = await fx.job(jobId);
    expect(job).toMatchObject({ status: 'running', progress: { percent: 40, step: 'crawling', message: 'page 2 of 5' }, startedAt: expect.any(String) });
    const events = (await fx.api('GET', `/jobs/${jobId}/events`)).body.items;
    expect(events).toContainEqual(expect.objectContaining({ kind: 'progress', data: { percent: 40, step: 'crawling', message: 'page 2 of 5' } }));

    // The late ack of job:run finds the job already running and leaves it so.
    worker.releaseRun(jobId);
    expect(await worker.progress(run, 60, 'crawling')).toEqual({ ok: true });
    expect(await fx.job(jobId)).toMatchObject({ status: 'running', progress: { percent: 60, step: 'crawling', message: null } });
  });

  it('gives a job whose final failure arrives before its job:run ack a start time, as a success gets', async () => {
    const { worker, run, jobId } = await dispatchedJob({ autoAckRun: false });
    expect(await worker.fail(run, { code: 'AUTH_FAILED', message: 'wrong password', retryable: false })).toEqual({ ok: true });
    const job = await fx.job(jobId);
    expect(job).toMatchObject({ status: 'failed', error: { code: 'AUTH_FAILED' }, startedAt: expect.any(String), finishedAt: expect.any(String) });
    worker.releaseRun(jobId);
  });

  it('moves a job to succeeded with its result on a succeeded report', async () => {
    const { worker, run, jobId } = await dispatchedJob();
    const result = { comments: [{ id: 'c1', text: 'hi' }], count: 1 };
    expect(await worker.succeed(run, result)).toEqual({ ok: true });
    expect(await fx.job(jobId)).toMatchObject({
      status: 'succeeded',
      result,
      error: null,
      workerId: 'w1',
      progress: { percent: 100 },
      finishedAt: expect.any(String),
    });
  });

  it('acknowledges a re-sent result and changes nothing', async () => {
    const { worker, run, jobId } = await dispatchedJob();
    expect((await worker.succeed(run, { n: 1 })).ok).toBe(true);
    const before = await fx.job(jobId);
    const eventsBefore = (await fx.api('GET', `/jobs/${jobId}/events`)).body.items;

    expect(await worker.succeed(run, { n: 2 })).toEqual({ ok: true });
    expect(await fx.job(jobId)).toEqual(before);
    expect((await fx.api('GET', `/jobs/${jobId}/events`)).body.items).toEqual(eventsBefore);
    expect(fx.refusedReports()).toEqual([]);
  });

  it('refuses a result from a worker that does not own the job with NOT_OWNER and records it', async () => {
    const { run, jobId } = await dispatchedJob();
    const intruder = await fx.worker('w2').start();

    const ack = await intruder.succeed(run, { stolen: true });
    expect(ack).toEqual({ ok: false, error: expect.objectContaining({ code: 'NOT_OWNER', field: 'jobId' }) });
    expect(await fx.job(jobId)).toMatchObject({ status: 'running', workerId: 'w1', result: null });
    expect(fx.refusedReports()).toEqual([expect.objectContaining({ worker_id: 'w2', event: WorkerEvent.JobResult, code: 'NOT_OWNER' })]);
  });

  it('refuses a stale-epoch result with STALE_EPOCH, records it, and answers with task:revoke', async () => {
    const { worker, run, jobId } = await dispatchedJob();
    expect(run.epoch).toBe(1);

    const ack = await worker.succeed({ ...run, epoch: 0 }, { late: true });
    expect(ack).toEqual({ ok: false, error: expect.objectContaining({ code: 'STALE_EPOCH', field: 'epoch' }) });
    expect(await fx.job(jobId)).toMatchObject({ status: 'running', result: null });
    expect(fx.refusedReports()).toEqual([
      { worker_id: 'w1', event: WorkerEvent.JobResult, code: 'STALE_EPOCH', detail: expect.objectContaining({ jobId, epoch: 0, currentEpoch: 1 }) },
    ]);
    const revoke = await waitUntil('task:revoke', () => worker.revokes[0]);
    expect(revoke).toEqual({ accountId: run.accountId, epoch: 0, reason: expect.any(String) });

    // A stale progress report is refused the same way and stores nothing.
    const progress = await worker.progress({ ...run, epoch: 0 }, 90, 'late');
    expect(progress).toMatchObject({ ok: false, error: { code: 'STALE_EPOCH' } });
    expect((await fx.job(jobId)).progress.step).not.toBe('late');
    expect(fx.refusedReports()).toHaveLength(2);
  });

  it('refuses reports about an unknown job with JOB_NOT_FOUND', async () => {
    const { worker, run } = await dispatchedJob();
    const ack = await worker.succeed({ ...run, jobId: 'no-such-job' });
    expect(ack).toMatchObject({ ok: false, error: { code: 'JOB_NOT_FOUND' } });
  });

  it("keeps a running job's streamed run.log lines for GET /jobs/:id/log and relays them to /client, from the owner only, until run.log is uploaded", async () => {
    const client = fx.client();
    const relayed: JobLogEvent[] = [];
    client.on(ClientEvent.JobLog, (e) => relayed.push(e));
    client.connect();
    const { worker, run, jobId } = await dispatchedJob();
    const report = { jobId, accountId: run.accountId, epoch: run.epoch, attempt: run.attempt };
    const send = (w: SimulatedWorker, payload: Record<string, unknown>) => w.socket.timeout(5_000).emitWithAck(WorkerEvent.JobLog, payload as never);

    expect(await send(worker, { ...report, lines: ['2026-11-23T10:00:00.000Z open inbox', '2026-11-23T10:00:00.100Z read 3 threads'] })).toEqual({ ok: true });
    expect(await send(worker, { ...report, lines: ['2026-11-23T10:00:00.200Z done'] })).toEqual({ ok: true });
    expect((await fx.api('GET', `/jobs/${jobId}/log`)).body).toEqual({
      jobId,
      lines: ['2026-11-23T10:00:00.000Z open inbox', '2026-11-23T10:00:00.100Z read 3 threads', '2026-11-23T10:00:00.200Z done'],
    });
    await waitUntil('both batches on /client', () => (relayed.length >= 2 ? true : undefined));
    expect(relayed).toEqual([
      { jobId, accountId: run.accountId, lines: ['2026-11-23T10:00:00.000Z open inbox', '2026-11-23T10:00:00.100Z read 3 threads'] },
      { jobId, accountId: run.accountId, lines: ['2026-11-23T10:00:00.200Z done'] },
    ]);

    // Not the owner, or a bad payload: refused, nothing added.
    const other = await fx.worker('w2').start();
    expect(await send(other, { ...report, lines: ['intruder'] })).toMatchObject({ ok: false, error: { code: 'NOT_OWNER' } });
    expect(await send(worker, { ...report, lines: [] })).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED', field: 'lines' } });
    expect((await fx.api('GET', `/jobs/${jobId}/log`)).body.lines).toHaveLength(3);
    expect((await fx.api('GET', '/jobs/nope/log')).body).toMatchObject({ code: 'JOB_NOT_FOUND' });

    // Once run.log is uploaded, the artifact is the record and the live lines go.
    const upload = await fetch(`${fx.url}/api/v1/worker/jobs/${jobId}/artifacts/run.log`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${fx.workerToken}`, 'x-fleet-worker': 'w1', 'x-fleet-attempt': '1', 'content-type': 'application/octet-stream' },
      body: 'the whole run.log\n',
    });
    expect(upload.status).toBe(201);
    expect((await fx.api('GET', `/jobs/${jobId}/log`)).body).toEqual({ jobId, lines: [] });
  });
});
