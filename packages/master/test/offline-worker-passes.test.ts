import { afterEach, describe, expect, it } from 'vitest';
import { MasterFixture } from './support/master-fixture.js';
import { sleep, waitUntil } from './support/wait-until.js';

const HEARTBEAT_MS = 200;
/** A closed connection's grace is the shorter of this and the closed-connection grace (5 s). */
const FAILOVER_MS = 300;
const OFFLINE_WORKERS = 20;
const COUNTED_TICKS = 10;

/**
 * Counts, per worker id, the reads a fail-over makes (jobs in flight, accounts owned), by wrapping
 * those two methods of the master's real backend.
 */
function countFailOverReads(fx: MasterFixture): Map<string, number> {
  const reads = new Map<string, number>();
  const count = (workerId: string) => reads.set(workerId, (reads.get(workerId) ?? 0) + 1);
  const { jobs, accounts } = fx.master.backend;
  const activeForWorker = jobs.activeForWorker.bind(jobs);
  const ownedBy = accounts.ownedBy.bind(accounts);
  jobs.activeForWorker = (workerId) => {
    count(workerId);
    return activeForWorker(workerId);
  };
  accounts.ownedBy = (workerId) => {
    count(workerId);
    return ownedBy(workerId);
  };
  return reads;
}

function fullTicks(fx: MasterFixture, n: number): Promise<void> {
  return new Promise((resolve) => {
    let seen = 0;
    const onTick = () => {
      if (++seen < n) return;
      fx.master.scheduler.off('tick', onTick);
      resolve();
    };
    fx.master.scheduler.on('tick', onTick);
  });
}

describe("the scheduler's passes over offline workers", () => {
  let fx: MasterFixture;
  afterEach(async () => {
    await fx?.close();
  });

  it('reads a failed-over worker with nothing left no more each pass, and still moves the jobs and accounts of one that comes back and goes again', async () => {
    fx = await MasterFixture.start({ heartbeatIntervalMs: HEARTBEAT_MS, accountFailoverMs: FAILOVER_MS });
    const ids = Array.from({ length: OFFLINE_WORKERS }, (_, i) => `w${i}`);
    const workers = await Promise.all(ids.map((id) => fx.worker(id, { heartbeatEveryMs: HEARTBEAT_MS / 2 }).start()));
    for (const worker of workers) worker.close();
    await waitUntil('every worker offline', async () => {
      const items: { status: string }[] = (await fx.api('GET', '/workers?limit=100')).body.items;
      return items.length === OFFLINE_WORKERS && items.every((w) => w.status === 'offline') ? true : undefined;
    });
    // Past every worker's grace, and a pass or two for their fail-overs.
    await sleep(FAILOVER_MS + 100);
    await fullTicks(fx, 2);

    const reads = countFailOverReads(fx);
    await fullTicks(fx, COUNTED_TICKS);
    expect(Object.fromEntries(reads)).toEqual({});

    // One comes back, is given an account and a job, and goes again: they move on after its grace.
    const back = await fx.worker('w0', { heartbeatEveryMs: HEARTBEAT_MS / 2 }).start();
    const account = await fx.createAccount();
    const job = await fx.createJob({ type: 'crawl', accountId: account.id });
    await back.waitForRun(0);
    await fx.waitForJob(job.id, 'running on w0', (j) => j.status === 'running' && j.workerId === 'w0');
    const epoch = (await fx.api('GET', `/accounts/${account.id}`)).body.epoch;
    back.close();
    const requeued = await fx.waitForJob(job.id, 'requeued', (j) => j.status === 'queued');
    expect(requeued).toMatchObject({ attempt: 2, workerId: null, error: { code: 'WORKER_LOST' } });
    expect((await fx.api('GET', `/accounts/${account.id}`)).body).toMatchObject({ ownerWorkerId: null, epoch: epoch + 1 });
    expect(reads.get('w0')).toBeGreaterThan(0);
  });
});
