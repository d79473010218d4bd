/**
 * Masters sharing one PostgreSQL database, as real processes: one leads (holds the leader lease),
 * the others serve reads and send workers and writes to it; when the leader is killed hard, another
 * takes over within the lease and carries on from the database.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { MasterProcess } from './support/master-process.js';
import { MasterProcesses, mastersSeenBy } from './support/master-processes.js';
import { PostgresCluster } from './support/postgres-cluster.js';
import { SimulatedWorker } from './support/simulated-worker.js';
import { waitUntil } from './support/wait-until.js';

const LEASE_MS = 1_500;

describe('two masters on one PostgreSQL database', () => {
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

  const masters = mastersSeenBy;

  async function metric(proc: MasterProcess, name: string): Promise<number> {
    const text = await (await fetch(`${proc.url}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(`${name} `));
    if (!line) throw new Error(`no ${name} in /metrics`);
    return Number(line.split(' ')[1]);
  }

  function worker(proc: MasterProcess, workerId = 'w1'): SimulatedWorker {
    const w = new SimulatedWorker({ workerId, url: proc.url, token: proc.workerToken, heartbeatEveryMs: 150 });
    workers.push(w);
    return w;
  }

  it('two masters given the same FLEET_MASTER_ID never lead at once: the second waits, and takes the lead only once the first is gone', async () => {
    const { url } = await cluster.createDatabase();
    const first = await master(url, 'same-id');
    await waitUntil('the first master to lead', async () => ((await mastersSeenBy(first)).leading ? true : undefined));
    const second = await master(url, 'same-id', first);
    // Several lease lives: the second renews nothing of the first's, so it never leads beside it.
    for (let i = 0; i < 8; i += 1) {
      const [a, b] = await Promise.all([mastersSeenBy(first), mastersSeenBy(second)]);
      expect([a.leading, b.leading]).toEqual([true, false]);
      await new Promise((resolve) => setTimeout(resolve, LEASE_MS / 3));
    }
    await first.kill();
    await waitUntil('the second master to lead', async () => ((await mastersSeenBy(second)).leading ? true : undefined), 20_000);
  });

  it('one leads; the other refuses workers naming the leader, serves reads and forwards writes to it; killed hard, the leader is replaced and the new one runs the fleet on', async () => {
    const { url } = await cluster.createDatabase();
    const a = await master(url, 'master-a');
    await waitUntil('master-a to lead', async () => ((await masters(a)).leading ? true : undefined), 10_000);
    const b = await master(url, 'master-b', a);
    expect(await masters(b)).toEqual({ self: 'master-b', leader: 'master-a', leading: false });
    expect(await metric(b, 'fleet_master_leading')).toBe(0);

    // Workers go to the leader only.
    await expect(worker(b).connect()).rejects.toMatchObject({ data: { code: 'NOT_LEADER', leader: 'master-a' } });
    const onA = await worker(a).start();
    const account = (await a.api('POST', '/accounts', { platform: 'sandbox' })).body;
    await onA.waitForAssign(account.id);
    const first = (await a.api('POST', '/jobs', { type: 'crawl', accountId: account.id })).body;
    expect((await onA.succeed(await onA.waitForRun(0))).ok).toBe(true);
    await waitUntil('the first job to succeed', async () => ((await a.api('GET', `/jobs/${first.id}`)).body.status === 'succeeded' ? true : undefined));

    // The follower reads the shared state, and passes writes to the leader, whose decisions they are.
    expect((await b.api('GET', `/jobs/${first.id}`)).body).toMatchObject({ status: 'succeeded' });
    const forwarded = await b.api('POST', '/jobs', { type: 'crawl', accountId: account.id, idempotencyKey: 'via-b' });
    expect(forwarded.status).toBe(201);
    expect(forwarded.body).toMatchObject({ type: 'crawl', accountId: account.id, idempotencyKey: 'via-b' });
    expect((await onA.succeed(await onA.waitForRun(1))).ok).toBe(true);
    await waitUntil('the forwarded job to succeed', async () =>
      (await a.api('GET', `/jobs/${forwarded.body.id}`)).body.status === 'succeeded' ? true : undefined,
    );
    // A refusal comes back as the leader gave it.
    const bad = await b.api('POST', '/jobs', { type: 'crawl', accountId: 'no-such-account' });
    expect(bad.status).toBe(404);
    expect(bad.body).toMatchObject({ code: 'ACCOUNT_NOT_FOUND', field: 'accountId' });

    await a.kill();
    onA.close();
    await waitUntil('master-b to take the lead', async () => ((await masters(b)).leading ? true : undefined), 15_000, 100);
    expect(await masters(b)).toEqual({ self: 'master-b', leader: 'master-b', leading: true });
    expect(await metric(b, 'fleet_master_leading')).toBe(1);
    expect(await metric(b, 'fleet_master_leader_changes_total')).toBe(1);

    const onB = await worker(b).start();
    const second = (await b.api('POST', '/jobs', { type: 'crawl', accountId: account.id })).body;
    const run = await waitUntil('the second job to run on w1 through master-b', async () => onB.runs.find((r) => r.jobId === second.id), 15_000);
    expect((await onB.succeed(run)).ok).toBe(true);
    await waitUntil('the second job to succeed', async () => ((await b.api('GET', `/jobs/${second.id}`)).body.status === 'succeeded' ? true : undefined));
    expect((await b.api('GET', `/jobs/${first.id}`)).body).toMatchObject({ status: 'succeeded', attempt: 1 });
  });
});
