import { afterEach, describe, expect, it } from 'vitest';
import { MasterFixture } from './support/master-fixture.js';
import { waitUntil } from './support/wait-until.js';

const HEARTBEAT_MS = 200;
/** The master gives up on a worker after this many silent intervals (SchedulerOptions.missedHeartbeats). */
const MISSED = 3;

describe('a lost worker gives its running jobs back to the queue', () => {
  let fx: MasterFixture;
  afterEach(async () => {
    await fx?.close();
  });

  async function waitForJob(jobId: string, what: string, predicate: (job: any) => boolean, timeoutMs = 5_000): Promise<any> {
    return waitUntil(`job ${jobId}: ${what}`, async () => {
      const job = await fx.job(jobId);
      return predicate(job) ? job : undefined;
    }, timeoutMs);
  }

  it('requeues the running job of a disconnected worker after 3 heartbeat intervals, as attempt 2 with WORKER_LOST', async () => {
    fx = await MasterFixture.start({ heartbeatIntervalMs: HEARTBEAT_MS });
    const worker = await fx.worker('w1', { heartbeatEveryMs: HEARTBEAT_MS / 2 }).start();
    const account = await fx.createAccount();
    const job = await fx.createJob({ type: 'crawl', accountId: account.id });
    await worker.waitForRun(0);
    await waitForJob(job.id, 'running', (j) => j.status === 'running');

    worker.close();
    const lostAt = Date.now();
    await waitUntil('w1 offline', async () => ((await fx.api('GET', '/workers')).body.items[0].status === 'offline' ? true : undefined));
    // A short blip is not a loss: within the grace window the job stays with its worker.
    expect(await fx.job(job.id)).toMatchObject({ status: 'running', workerId: 'w1', attempt: 1 });

    const requeued = await waitForJob(job.id, 'requeued', (j) => j.status === 'queued');
    expect(Date.now() - lostAt).toBeGreaterThanOrEqual(MISSED * HEARTBEAT_MS - 50);
    expect(requeued).toMatchObject({ attempt: 2, workerId: null, error: { code: 'WORKER_LOST', message: expect.any(String) } });

    // The account stays with its owner (no failover yet): the job runs again when w1 is back.
    const back = await fx.worker('w1', { heartbeatEveryMs: HEARTBEAT_MS / 2 }).start();
    const run = await back.waitForRun(0);
    expect(run).toMatchObject({ jobId: job.id, attempt: 2 });
  });

  it('disconnects a worker that stops heartbeating and requeues its job', async () => {
    fx = await MasterFixture.start({ heartbeatIntervalMs: HEARTBEAT_MS });
    const silent = await fx.worker('w1').start(); // connected, but never heartbeats
    const account = await fx.createAccount();
    const job = await fx.createJob({ type: 'crawl', accountId: account.id });
    await silent.waitForRun(0);

    await waitUntil('the master to drop the silent worker', () => (silent.socket.connected ? undefined : true), 3_000);
    const requeued = await waitForJob(job.id, 'requeued', (j) => j.status === 'queued', 3_000);
    expect(requeued).toMatchObject({ attempt: 2, error: { code: 'WORKER_LOST' } });
    const workers = (await fx.api('GET', '/workers')).body.items;
    expect(workers).toEqual([expect.objectContaining({ id: 'w1', status: 'offline' })]);
  });

  it('fails a lost job that had no attempts left with WORKER_LOST', async () => {
    fx = await MasterFixture.start({ heartbeatIntervalMs: HEARTBEAT_MS });
    const worker = await fx.worker('w1', { heartbeatEveryMs: HEARTBEAT_MS / 2 }).start();
    const account = await fx.createAccount();
    const job = await fx.createJob({ type: 'crawl', accountId: account.id, maxAttempts: 1 });
    await worker.waitForRun(0);
    worker.close();

    const failed = await waitForJob(job.id, 'failed', (j) => j.status === 'failed');
    expect(failed).toMatchObject({ attempt: 1, error: { code: 'WORKER_LOST' }, finishedAt: expect.any(String) });
  });
});
