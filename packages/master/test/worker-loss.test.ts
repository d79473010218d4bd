import { afterEach, describe, expect, it } from 'vitest';
import { MasterFixture } from './support/master-fixture.js';
import { sleep, waitUntil } from './support/wait-until.js';

const HEARTBEAT_MS = 200;
/** The master gives up on a worker after this many silent intervals (SchedulerOptions.missedHeartbeats). */
const MISSED = 3;
/** How long an offline worker keeps its jobs and accounts here (longer than MISSED intervals, to tell the two apart). */
const FAILOVER_MS = 1_500;

describe('a lost worker gives its running jobs back to the queue when its accounts move', () => {
  let fx: MasterFixture;
  afterEach(async () => {
    await fx?.close();
  });

  async function waitForJob(jobId: string, what: string, predicate: (job: any) => boolean, timeoutMs = 5_000): Promise<any> {
    return waitUntil(
      `job ${jobId}: ${what}`,
      async () => {
        const job = await fx.job(jobId);
        return predicate(job) ? job : undefined;
      },
      timeoutMs,
    );
  }

  it('keeps the running job of a disconnected worker through the grace, then requeues it as attempt 2 with WORKER_LOST as its account moves', async () => {
    fx = await MasterFixture.start({ heartbeatIntervalMs: HEARTBEAT_MS, accountFailoverMs: FAILOVER_MS });
    const worker = await fx.worker('w1', { heartbeatEveryMs: HEARTBEAT_MS / 2 }).start();
    const account = await fx.createAccount();
    const job = await fx.createJob({ type: 'crawl', accountId: account.id });
    await worker.waitForRun(0);
    await waitForJob(job.id, 'running', (j) => j.status === 'running');

    worker.close();
    const lostAt = Date.now();
    await waitUntil('w1 offline', async () => ((await fx.api('GET', '/workers')).body.items[0].status === 'offline' ? true : undefined));
    // A short blip is not a loss: within the grace window the job stays with its worker, which may still run it.
    await sleep(MISSED * HEARTBEAT_MS + 100);
    expect(await fx.job(job.id)).toMatchObject({ status: 'running', workerId: 'w1', attempt: 1 });

    const requeued = await waitForJob(job.id, 'requeued', (j) => j.status === 'queued');
    expect(Date.now() - lostAt).toBeGreaterThanOrEqual(FAILOVER_MS - 50);
    expect(requeued).toMatchObject({ attempt: 2, workerId: null, error: { code: 'WORKER_LOST', message: expect.any(String) } });
    // The account moved on in the same pass (a new epoch fences the old attempt), here to no one.
    expect((await fx.api('GET', `/accounts/${account.id}`)).body).toMatchObject({ ownerWorkerId: null, epoch: 2 });

    // The job runs again on the next owner, under the new epoch: here w1, back as a new process.
    const back = await fx.worker('w1', { heartbeatEveryMs: HEARTBEAT_MS / 2 }).start();
    const run = await back.waitForRun(0);
    expect(run).toMatchObject({ jobId: job.id, attempt: 2 });
    expect(run.epoch).toBeGreaterThan(2);
  });

  it("puts a lost job back in its place: it runs again before the account's jobs submitted after it", async () => {
    fx = await MasterFixture.start({ heartbeatIntervalMs: HEARTBEAT_MS, accountFailoverMs: FAILOVER_MS });
    const worker = await fx.worker('w1', { heartbeatEveryMs: HEARTBEAT_MS / 2 }).start();
    const account = await fx.createAccount();
    const first = await fx.createJob({ type: 'crawl', accountId: account.id });
    await worker.waitForRun(0);
    await waitForJob(first.id, 'running', (j) => j.status === 'running');
    // Queued behind it on the same account while it runs.
    const later = [await fx.createJob({ type: 'crawl', accountId: account.id }), await fx.createJob({ type: 'crawl', accountId: account.id })];

    worker.close();
    await waitForJob(first.id, 'requeued', (j) => j.status === 'queued' && j.attempt === 2, 10_000);
    const next = await fx.worker('w2', { heartbeatEveryMs: HEARTBEAT_MS / 2 }).start();
    const run = await next.waitForRun(0);
    expect(run).toMatchObject({ jobId: first.id, attempt: 2 });
    expect((await next.succeed(run)).ok).toBe(true);
    expect((await next.waitForRun(1)).jobId).toBe(later[0]!.id);
  });

  it("keeps a job the worker refused (retryable) in its place: after the backoff it runs before the account's later jobs", async () => {
    fx = await MasterFixture.start({ heartbeatIntervalMs: HEARTBEAT_MS, accountFailoverMs: FAILOVER_MS, retryBaseMs: 300 });
    const worker = await fx.worker('w1', { heartbeatEveryMs: HEARTBEAT_MS / 2, autoAckRun: false }).start();
    const account = await fx.createAccount();
    const first = await fx.createJob({ type: 'crawl', accountId: account.id });
    const refusedRun = await worker.waitForRun(0);
    const later = await fx.createJob({ type: 'crawl', accountId: account.id });
    worker.releaseRun(refusedRun.jobId, { code: 'NO_CAPACITY', message: 'worker is at its concurrency limit', retryable: true });

    const again = await worker.waitForRun(1);
    expect(again).toMatchObject({ jobId: first.id, attempt: 1 });
    worker.releaseRun(again.jobId);
    expect((await worker.succeed(again)).ok).toBe(true);
    const next = await worker.waitForRun(2);
    expect(next.jobId).toBe(later.id);
    worker.releaseRun(next.jobId);
  });

  it('disconnects a worker that stops heartbeating, and requeues its job once the grace is over', async () => {
    fx = await MasterFixture.start({ heartbeatIntervalMs: HEARTBEAT_MS, accountFailoverMs: FAILOVER_MS });
    const silent = await fx.worker('w1').start(); // connected, but never heartbeats
    const account = await fx.createAccount();
    const job = await fx.createJob({ type: 'crawl', accountId: account.id });
    await silent.waitForRun(0);

    await waitUntil('the master to drop the silent worker', () => (silent.socket.connected ? undefined : true), 3_000);
    // Silent is not dead: it may still be running the job, cut off, so the job stays with it for now.
    expect(await fx.job(job.id)).toMatchObject({ status: 'running', workerId: 'w1', attempt: 1 });
    const requeued = await waitForJob(job.id, 'requeued', (j) => j.status === 'queued', 3_000);
    expect(requeued).toMatchObject({ attempt: 2, error: { code: 'WORKER_LOST' } });
    const workers = (await fx.api('GET', '/workers')).body.items;
    expect(workers).toEqual([expect.objectContaining({ id: 'w1', status: 'offline' })]);
  });

  it('fails a lost job that had no attempts left with WORKER_LOST', async () => {
    fx = await MasterFixture.start({ heartbeatIntervalMs: HEARTBEAT_MS, accountFailoverMs: FAILOVER_MS });
    const worker = await fx.worker('w1', { heartbeatEveryMs: HEARTBEAT_MS / 2 }).start();
    const account = await fx.createAccount();
    const job = await fx.createJob({ type: 'crawl', accountId: account.id, maxAttempts: 1 });
    await worker.waitForRun(0);
    worker.close();

    const failed = await waitForJob(job.id, 'failed', (j) => j.status === 'failed');
    expect(failed).toMatchObject({ attempt: 1, error: { code: 'WORKER_LOST' }, finishedAt: expect.any(String) });
  });
});
