import { afterEach, describe, expect, it } from 'vitest';
import { MasterFixture } from './support/master-fixture.js';
import type { SimulatedWorker } from './support/simulated-worker.js';
import { sleep, waitUntil } from './support/wait-until.js';

const HEARTBEAT_MS = 200;
/** How long an offline worker keeps its jobs and accounts here (a closed connection's grace is capped by it). */
const FAILOVER_MS = 1_000;

describe('a cancel asked of a worker sticks, whatever becomes of the worker', () => {
  let fx: MasterFixture;
  afterEach(async () => {
    await fx?.close();
  });

  /** w1 runs a crawl; its cancel is asked and acknowledged by w1, which has not reported yet. */
  async function cancelAcknowledged(jobBody: Record<string, unknown> = {}): Promise<{ w1: SimulatedWorker; account: any; jobId: string; run: any }> {
    const w1 = await fx.worker('w1', { heartbeatEveryMs: HEARTBEAT_MS / 2 }).start();
    const account = await fx.createAccount();
    const job = await fx.createJob({ type: 'crawl', accountId: account.id, ...jobBody });
    const run = await w1.waitForRun(0);
    await fx.waitForJob(job.id, 'running', (j) => j.status === 'running');
    const answer = await fx.api('POST', `/jobs/${job.id}/cancel`);
    expect(answer.status).toBe(200);
    expect(w1.cancels).toEqual([expect.objectContaining({ jobId: job.id })]);
    // The worker acknowledged the cancel; the job waits for its report.
    expect(await fx.job(job.id)).toMatchObject({ status: 'running', attempt: 1 });
    return { w1, account, jobId: job.id, run };
  }

  it('ends the job cancelled (not requeued) when the worker is lost before reporting, and runs it nowhere else', async () => {
    fx = await MasterFixture.start({ heartbeatIntervalMs: HEARTBEAT_MS, accountFailoverMs: FAILOVER_MS });
    const { w1, account, jobId } = await cancelAcknowledged();
    const w2 = await fx.worker('w2', { heartbeatEveryMs: HEARTBEAT_MS / 2 }).start();

    w1.close();
    const ended = await fx.waitForJob(jobId, 'cancelled', (j) => j.status === 'cancelled');
    expect(ended).toMatchObject({ attempt: 1, error: { code: 'JOB_CANCELLED' }, finishedAt: expect.any(String) });
    // The account moved on to w2, and the cancelled job did not go with it.
    await fx.waitForAccount(account.id, 'owned by w2', (a) => a.ownerWorkerId === 'w2');
    await sleep(300);
    expect(w2.runs).toEqual([]);
    expect((await fx.job(jobId)).status).toBe('cancelled');
  });

  it('ends the job cancelled when the worker comes back without it (restarted), and does not run it again', async () => {
    fx = await MasterFixture.start({ heartbeatIntervalMs: HEARTBEAT_MS });
    const { w1, account, jobId } = await cancelAcknowledged();
    w1.close();

    const back = await fx.worker('w1', { heartbeatEveryMs: HEARTBEAT_MS / 2 }).start({ heldAccounts: [{ accountId: account.id, epoch: 1 }] });
    expect(await fx.waitForJob(jobId, 'cancelled', (j) => j.status === 'cancelled')).toMatchObject({ attempt: 1, error: { code: 'JOB_CANCELLED' } });
    await sleep(300);
    expect(back.runs).toEqual([]);
  });

  it('asks again when the worker comes back still running the job, and ends it with the report that follows', async () => {
    fx = await MasterFixture.start({ heartbeatIntervalMs: HEARTBEAT_MS });
    const { w1, account, jobId, run } = await cancelAcknowledged();
    w1.close();

    const back = await fx.worker('w1', { heartbeatEveryMs: HEARTBEAT_MS / 2 }).start({
      runningJobs: [{ jobId, accountId: account.id, epoch: run.epoch }],
      heldAccounts: [{ accountId: account.id, epoch: run.epoch }],
    });
    const again = await waitUntil('the cancel asked again', () => back.cancels.find((c) => c.jobId === jobId));
    expect(again.reason).toMatch(/cancel/);
    expect(await fx.job(jobId)).toMatchObject({ status: 'running', attempt: 1, workerId: 'w1' });
    expect(
      (
        await back.result({
          jobId,
          accountId: account.id,
          epoch: run.epoch,
          attempt: 1,
          status: 'cancelled',
          error: { code: 'JOB_CANCELLED', message: 'aborted' },
        })
      ).ok,
    ).toBe(true);
    expect(await fx.waitForJob(jobId, 'cancelled', (j) => j.status === 'cancelled')).toMatchObject({ attempt: 1 });
    expect(back.runs).toEqual([]);
  });

  it('ends the job cancelled when its lease runs out with no report after the cancel', async () => {
    fx = await MasterFixture.start({ heartbeatIntervalMs: HEARTBEAT_MS });
    const { w1, jobId } = await cancelAcknowledged({ timeoutMs: 1_000 });
    expect(await fx.waitForJob(jobId, 'cancelled', (j) => j.status === 'cancelled')).toMatchObject({ attempt: 1, error: { code: 'JOB_CANCELLED' } });
    await sleep(300);
    expect(w1.runs).toHaveLength(1);
  });

  it('does not retry an attempt that failed retryably after its cancel was asked', async () => {
    fx = await MasterFixture.start();
    const { w1, jobId, run } = await cancelAcknowledged();
    expect((await w1.fail(run, { code: 'NETWORK_ERROR', message: 'socket hang up', retryable: true })).ok).toBe(true);
    expect(await fx.job(jobId)).toMatchObject({ status: 'cancelled', attempt: 1, error: { code: 'JOB_CANCELLED' } });
    await sleep(300);
    expect(w1.runs).toHaveLength(1);
  });
});
