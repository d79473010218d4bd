/**
 * Limits and pauses with two masters on one PostgreSQL database, as real processes: the follower
 * forwards a limit to the leader, shows the leader's pauses from the database, and a new leader
 * keeps holding what the old one held.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { MasterProcess } from './support/master-process.js';
import { MasterProcesses, mastersSeenBy } from './support/master-processes.js';
import { PostgresCluster } from './support/postgres-cluster.js';
import { SimulatedWorker } from './support/simulated-worker.js';
import { waitUntil } from './support/wait-until.js';

const LEASE_MS = 1_500;

describe('limits with two masters on one PostgreSQL database', () => {
  let cluster: PostgresCluster;
  const procs = new MasterProcesses();
  const workers: SimulatedWorker[] = [];
  beforeAll(async () => {
    cluster = await PostgresCluster.start();
  });
  afterAll(() => cluster?.stop());
  afterEach(async () => {
    for (const worker of workers.splice(0)) worker.close();
    await procs.closeAll();
  });

  const master = (url: string, id: string, secretsOf?: MasterProcess): Promise<MasterProcess> =>
    procs.start(url, id, { env: { FLEET_LEADER_LEASE_MS: String(LEASE_MS) }, ...(secretsOf ? { secretsOf } : {}) });

  const leading = async (proc: MasterProcess): Promise<boolean> => (await mastersSeenBy(proc)).leading;

  it('a follower forwards a limit and shows the pauses; a new leader keeps holding the jobs the old one held', async () => {
    const { url } = await cluster.createDatabase();
    const a = await master(url, 'master-a');
    await waitUntil('master-a to lead', async () => ((await leading(a)) ? true : undefined), 10_000);
    const b = await master(url, 'master-b', a);
    const onA = new SimulatedWorker({ workerId: 'w1', url: a.url, token: a.workerToken, heartbeatEveryMs: 150 });
    workers.push(onA);
    await onA.start();
    const throttled = (await a.api('POST', '/accounts', { platform: 'sandbox' })).body;
    const paced = (await a.api('POST', '/accounts', { platform: 'sandbox' })).body;
    await onA.waitForAssign(throttled.id);
    await onA.waitForAssign(paced.id);

    // Set through the follower: the leader applies it.
    const limit = { scope: 'account', target: paced.id, jobType: 'crawl', rule: { max: 1, windowMs: 600_000 } };
    expect((await b.api('PUT', '/limits', limit)).status).toBe(200);
    expect((await a.api('GET', '/limits')).body.items).toEqual([expect.objectContaining({ id: `account:${paced.id}:crawl` })]);
    const first = (await a.api('POST', '/jobs', { type: 'crawl', accountId: paced.id })).body;
    const run = await onA.waitForRun(0);
    expect(run.jobId).toBe(first.id);
    await onA.succeed(run);
    const second = (await a.api('POST', '/jobs', { type: 'crawl', accountId: paced.id })).body;
    await waitUntil('the second job held on the leader', async () => ((await a.api('GET', `/jobs/${second.id}`)).body.heldBy ? true : undefined));

    // The platform throttles the other account: the follower shows its pause, from the database.
    const job = (await a.api('POST', '/jobs', { type: 'crawl', accountId: throttled.id })).body;
    const throttledRun = await onA.waitForRun(1);
    expect(throttledRun.jobId).toBe(job.id);
    expect((await onA.result({ ...throttledRun, status: 'rate_limited', retryAfterMs: 600_000, scope: 'account' })).ok).toBe(true);
    const pausedOnB = (await b.api('GET', `/accounts/${throttled.id}`)).body.pausedUntil;
    expect(Date.parse(pausedOnB)).toBeGreaterThan(Date.now());
    expect((await b.api('GET', `/accounts/${paced.id}`)).body.pausedUntil).toBeNull();

    // The leader dies: the new one rebuilds its counts and pauses from the database and holds both jobs.
    await a.kill();
    await waitUntil('master-b to lead', async () => ((await leading(b)) ? true : undefined), 15_000);
    const onB = new SimulatedWorker({ workerId: 'w1', url: b.url, token: a.workerToken, heartbeatEveryMs: 150 });
    workers.push(onB);
    await waitUntil(
      'w1 to register with master-b',
      async () =>
        (await onB
          .start()
          .then(() => true)
          .catch(() => undefined))
          ? true
          : undefined,
      15_000,
    );
    expect((await waitUntil('the job held by the limit on the new leader', async () => (await b.api('GET', `/jobs/${second.id}`)).body.heldBy)).limit).toBe(
      `account:${paced.id}:crawl`,
    );
    expect((await waitUntil('the throttled job held by its pause', async () => (await b.api('GET', `/jobs/${job.id}`)).body.heldBy)).limit).toBe(
      `pause:account:${throttled.id}`,
    );
    expect(onB.runs).toEqual([]);
  });
});
