import { afterEach, describe, expect, it } from 'vitest';
import type { JobRun } from '@fleetwright/shared';
import { MasterFixture, type MasterFixtureOptions } from './support/master-fixture.js';
import type { SimulatedWorker } from './support/simulated-worker.js';
import { sleep, waitUntil } from './support/wait-until.js';

const QUIET_WINDOW_MS = 300;

describe('job lifecycle: retries, cancellation and idempotent submission', () => {
  let fx: MasterFixture;
  afterEach(async () => {
    await fx?.close();
  });

  async function runningJob(
    options: MasterFixtureOptions = {},
    job: Record<string, unknown> = {},
  ): Promise<{ worker: SimulatedWorker; run: JobRun; jobId: string }> {
    fx = await MasterFixture.start(options);
    const worker = await fx.worker('w1').start();
    const account = await fx.createAccount();
    const created = await fx.createJob({ type: 'crawl', accountId: account.id, ...job });
    const run = await worker.waitForRun(0);
    await waitUntil('job running', async () => ((await fx.job(created.id)).status === 'running' ? true : undefined));
    return { worker, run, jobId: created.id };
  }

  async function waitForStatus(jobId: string, status: string): Promise<any> {
    return waitUntil(`job ${jobId} to be ${status}`, async () => {
      const job = await fx.job(jobId);
      return job.status === status ? job : undefined;
    });
  }

  it('requeues a job that failed with a retryable error as attempt 2 and dispatches it again', async () => {
    const { worker, run, jobId } = await runningJob();
    expect(await worker.fail(run, { code: 'NETWORK_ERROR', message: 'connection reset' })).toEqual({ ok: true });

    const again = await worker.waitForRun(1);
    expect(again).toMatchObject({ jobId, attempt: 2, epoch: 1 });
    const events = (await fx.api('GET', `/jobs/${jobId}/events`)).body.items;
    expect(events).toContainEqual(
      expect.objectContaining({ kind: 'status', data: expect.objectContaining({ from: 'running', status: 'queued', code: 'NETWORK_ERROR' }) }),
    );

    expect((await worker.succeed(again, { ok: 1 })).ok).toBe(true);
    expect(await waitForStatus(jobId, 'succeeded')).toMatchObject({ attempt: 2, error: null, result: { ok: 1 } });
  });

  it('fails a job for good on a non-retryable error, keeping its code and message', async () => {
    const { worker, run, jobId } = await runningJob();
    expect(await worker.fail(run, { code: 'AUTH_FAILED', message: 'the platform refused the password' })).toEqual({ ok: true });

    const failed = await waitForStatus(jobId, 'failed');
    expect(failed).toMatchObject({ attempt: 1, error: { code: 'AUTH_FAILED', message: 'the platform refused the password' }, finishedAt: expect.any(String) });
    await sleep(QUIET_WINDOW_MS);
    expect(worker.runs).toHaveLength(1);
  });

  it('fails a job whose retryable error came on its last attempt', async () => {
    const { worker, run, jobId } = await runningJob({}, { maxAttempts: 1 });
    expect((await worker.fail(run, { code: 'TIMEOUT', message: 'page took too long' })).ok).toBe(true);
    expect(await waitForStatus(jobId, 'failed')).toMatchObject({ attempt: 1, maxAttempts: 1, error: { code: 'TIMEOUT', message: 'page took too long' } });
    await sleep(QUIET_WINDOW_MS);
    expect(worker.runs).toHaveLength(1);
  });

  it('does not apply a re-sent failure of attempt 1 to the re-dispatched attempt 2', async () => {
    const { worker, run, jobId } = await runningJob();
    const failure = { code: 'NETWORK_ERROR', message: 'connection reset' };
    expect((await worker.fail(run, failure)).ok).toBe(true);
    await worker.waitForRun(1);
    await waitForStatus(jobId, 'running');

    // The worker's deliver() re-sends a report whose ack it did not get in time.
    await worker.fail(run, failure);
    await sleep(QUIET_WINDOW_MS);
    expect(await fx.job(jobId)).toMatchObject({ status: 'running', attempt: 2 });
    expect(worker.runs).toHaveLength(2);
  });

  it('acknowledges a re-sent failure while the retry waits in the queue, without refusing it', async () => {
    const { worker, run, jobId } = await runningJob({ retryBaseMs: 5_000 });
    const failure = { code: 'NETWORK_ERROR', message: 'connection reset' };
    expect((await worker.fail(run, failure)).ok).toBe(true);
    expect((await fx.job(jobId)).status).toBe('queued');

    expect(await worker.fail(run, failure)).toEqual({ ok: true });
    expect(fx.refusedReports()).toEqual([]);
  });

  it('cancels a queued job at once and never dispatches it', async () => {
    fx = await MasterFixture.start();
    const account = await fx.createAccount();
    const job = await fx.createJob({ type: 'crawl', accountId: account.id });
    const cancelled = await fx.api('POST', `/jobs/${job.id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ id: job.id, status: 'cancelled', error: { code: 'JOB_CANCELLED' }, finishedAt: expect.any(String) });

    const worker = await fx.worker('w1').start();
    await worker.waitForAssign(account.id);
    const next = await fx.createJob({ type: 'crawl', accountId: account.id });
    const run = await worker.waitForRun(0);
    expect(run.jobId).toBe(next.id);
    await sleep(QUIET_WINDOW_MS);
    expect(worker.runs.map((r) => r.jobId)).toEqual([next.id]);
    expect((await fx.job(job.id)).status).toBe('cancelled');
  });

  it('refuses to cancel a finished job with 409 ILLEGAL_TRANSITION', async () => {
    const { worker, run, jobId } = await runningJob();
    await worker.succeed(run, { done: true });
    await waitForStatus(jobId, 'succeeded');

    const res = await fx.api('POST', `/jobs/${jobId}/cancel`);
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'ILLEGAL_TRANSITION', message: expect.stringContaining('succeeded') });
    expect(await fx.job(jobId)).toMatchObject({ status: 'succeeded', result: { done: true } });
  });

  it('returns the same job with 200 when a job is re-posted with its idempotencyKey', async () => {
    fx = await MasterFixture.start();
    const account = await fx.createAccount();
    const body = { type: 'crawl', accountId: account.id, idempotencyKey: 'upstream-order-42' };
    const first = await fx.api('POST', '/jobs', body);
    const second = await fx.api('POST', '/jobs', body);
    expect(first.status).toBe(201);
    expect(second.status).toBe(200);
    expect(second.body.id).toBe(first.body.id);
    expect(second.body.idempotencyKey).toBe('upstream-order-42');
    expect((await fx.api('GET', '/jobs')).body.items).toHaveLength(1);
  });
});
