import { afterEach, describe, expect, it } from 'vitest';
import type { Master } from '@fleetwright/master';
import { MasterFixture } from './support/master-fixture.js';
import { sleep, waitUntil } from './support/wait-until.js';

const HEARTBEAT_MS = 200;
/** 3 heartbeat intervals: a worker away this long is offline, though still within its grace. */
const OFFLINE_MS = 3 * HEARTBEAT_MS;
/** The master's deadline on job:run answers, shortened for these tests (10 s in production). */
const ACK_TIMEOUT_MS = 300;

/**
 * Shortens the `/worker` gateway's ack deadline of a running master. MasterOptions does not carry
 * it, and waiting 10 s per test would be the only alternative.
 */
function shortenAckTimeout(master: Master, ms: number): void {
  (master as unknown as { workers: { options: { ackTimeoutMs?: number } } }).workers.options.ackTimeoutMs = ms;
}

describe('a worker that comes back keeps what it still runs; an unanswered job:run stays with its worker', () => {
  let fx: MasterFixture;
  afterEach(async () => {
    await fx?.close();
  });

  it('keeps a job the returning worker still runs: same attempt, no cancel, no second run, nothing elsewhere, and applies its result', async () => {
    fx = await MasterFixture.start({ heartbeatIntervalMs: HEARTBEAT_MS });
    const w1 = await fx.worker('w1', { heartbeatEveryMs: HEARTBEAT_MS / 2 }).start();
    const account = await fx.createAccount();
    const job = await fx.createJob({ type: 'crawl', accountId: account.id });
    const run = await w1.waitForRun(0);
    await fx.waitForJob(job.id, 'running', (j) => j.status === 'running');
    const w2 = await fx.worker('w2', { heartbeatEveryMs: HEARTBEAT_MS / 2 }).start();

    w1.close();
    await sleep(OFFLINE_MS + 400);
    expect(await fx.job(job.id)).toMatchObject({ status: 'running', workerId: 'w1', attempt: 1 });

    const back = await fx.worker('w1', { heartbeatEveryMs: HEARTBEAT_MS / 2 }).start({
      runningJobs: [{ jobId: job.id, accountId: account.id, epoch: run.epoch }],
      heldAccounts: [{ accountId: account.id, epoch: run.epoch }],
    });
    await sleep(300);
    expect(back.cancels).toEqual([]);
    expect(back.revokes).toEqual([]);
    expect(back.runs).toEqual([]);
    expect(w2.runs).toEqual([]);
    expect(await fx.job(job.id)).toMatchObject({ status: 'running', workerId: 'w1', attempt: 1, epoch: run.epoch, error: null });

    expect(await back.succeed(run, { pages: 2 })).toEqual({ ok: true });
    expect(await fx.waitForJob(job.id, 'succeeded', (j) => j.status === 'succeeded')).toMatchObject({ attempt: 1, workerId: 'w1', result: { pages: 2 } });
    expect(fx.refusedReports()).toEqual([]);
  });

  it("requeues the master's attempt as the next one, and cancels the listed one, when the returning worker runs the job as another attempt", async () => {
    fx = await MasterFixture.start({ heartbeatIntervalMs: HEARTBEAT_MS });
    const w1 = await fx.worker('w1', { heartbeatEveryMs: HEARTBEAT_MS / 2 }).start();
    const account = await fx.createAccount();
    const job = await fx.createJob({ type: 'crawl', accountId: account.id });
    const run = await w1.waitForRun(0);
    await fx.waitForJob(job.id, 'running', (j) => j.status === 'running');
    w1.close();

    const back = await fx.worker('w1', { heartbeatEveryMs: HEARTBEAT_MS / 2 }).start({
      runningJobs: [{ jobId: job.id, accountId: account.id, epoch: run.epoch, attempt: run.attempt + 4 }],
      heldAccounts: [{ accountId: account.id, epoch: run.epoch }],
    });
    await waitUntil('the listed attempt cancelled', () => back.cancels.find((c) => c.jobId === job.id));
    const again = await back.waitForRun(0);
    expect(again).toMatchObject({ jobId: job.id, attempt: 2, epoch: run.epoch });
    expect((await back.succeed(again, { attempt: 2 })).ok).toBe(true);
    expect(await fx.waitForJob(job.id, 'succeeded', (j) => j.status === 'succeeded')).toMatchObject({ attempt: 2, result: { attempt: 2 } });
  });

  it('keeps a job whose job:run went unanswered with its worker, and applies the result that arrives later', async () => {
    fx = await MasterFixture.start();
    shortenAckTimeout(fx.master, ACK_TIMEOUT_MS);
    const w1 = await fx.worker('w1', { autoAckRun: false }).start();
    const account = await fx.createAccount();
    const job = await fx.createJob({ type: 'crawl', accountId: account.id });
    const run = await w1.waitForRun(0);

    await sleep(ACK_TIMEOUT_MS + 400);
    expect(await fx.job(job.id)).toMatchObject({ status: 'dispatched', workerId: 'w1', attempt: 1 });
    expect(w1.runs).toHaveLength(1);

    expect(await w1.succeed(run, { late: true })).toEqual({ ok: true });
    expect(await fx.job(job.id)).toMatchObject({ status: 'succeeded', attempt: 1, workerId: 'w1', result: { late: true } });
    expect(fx.refusedReports()).toEqual([]);
  });

  it('marks an unanswered job running when its worker re-registers still running it', async () => {
    fx = await MasterFixture.start();
    shortenAckTimeout(fx.master, ACK_TIMEOUT_MS);
    const w1 = await fx.worker('w1', { autoAckRun: false }).start();
    const account = await fx.createAccount();
    const job = await fx.createJob({ type: 'crawl', accountId: account.id });
    const run = await w1.waitForRun(0);
    await sleep(ACK_TIMEOUT_MS + 200);
    w1.close();

    const back = await fx
      .worker('w1')
      .start({ runningJobs: [{ jobId: job.id, accountId: account.id, epoch: run.epoch }], heldAccounts: [{ accountId: account.id, epoch: run.epoch }] });
    expect(await fx.waitForJob(job.id, 'running on w1', (j) => j.status === 'running')).toMatchObject({
      workerId: 'w1',
      attempt: 1,
      startedAt: expect.any(String),
    });
    await sleep(200);
    expect(back.runs).toEqual([]);
    expect(back.cancels).toEqual([]);
  });

  it('requeues an unanswered job as its next attempt when its worker re-registers without it', async () => {
    fx = await MasterFixture.start();
    shortenAckTimeout(fx.master, ACK_TIMEOUT_MS);
    const w1 = await fx.worker('w1', { autoAckRun: false }).start();
    const account = await fx.createAccount();
    const job = await fx.createJob({ type: 'crawl', accountId: account.id });
    await w1.waitForRun(0);
    await sleep(ACK_TIMEOUT_MS + 200);
    w1.close();

    const back = await fx.worker('w1').start({ heldAccounts: [{ accountId: account.id, epoch: 1 }] });
    const again = await back.waitForRun(0);
    expect(again).toMatchObject({ jobId: job.id, attempt: 2 });
    expect((await back.succeed(again)).ok).toBe(true);
    expect(await fx.waitForJob(job.id, 'succeeded', (j) => j.status === 'succeeded')).toMatchObject({ attempt: 2 });
  });

  it('never runs two attempts at once: a job kept by its returning worker is not dispatched to it again', async () => {
    fx = await MasterFixture.start({ heartbeatIntervalMs: HEARTBEAT_MS });
    const w1 = await fx.worker('w1', { heartbeatEveryMs: HEARTBEAT_MS / 2, reconnect: true }).start();
    const account = await fx.createAccount();
    const job = await fx.createJob({ type: 'crawl', accountId: account.id });
    const run = await w1.waitForRun(0);
    await fx.waitForJob(job.id, 'running', (j) => j.status === 'running');

    // The connection drops under the worker (not a disconnect of its own) and it reconnects by itself.
    w1.socket.io.engine.close();
    await waitUntil('w1 to re-register', () => (w1.reregistrations.length > 0 ? true : undefined));
    expect(w1.reregistrations[0]).toMatchObject({ ok: true });
    await sleep(OFFLINE_MS + 400);
    expect(w1.runs).toHaveLength(1);
    expect(w1.cancels).toEqual([]);
    expect(await fx.job(job.id)).toMatchObject({ status: 'running', attempt: 1, workerId: 'w1' });
    expect((await w1.succeed(run)).ok).toBe(true);
    expect(await fx.waitForJob(job.id, 'succeeded', (j) => j.status === 'succeeded')).toMatchObject({ attempt: 1 });
  });
});
