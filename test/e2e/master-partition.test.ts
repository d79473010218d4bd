/**
 * The leader cut off from PostgreSQL while the other master still reaches it: the leader talks to
 * the database through a TCP proxy, which the test cuts, either by resetting the connections or by
 * letting no byte through (a black hole). The leader steps down, nothing it writes lands in the
 * database (not even once the link is back), the other master takes over, and the fleet goes on
 * with it. An upstream client connected to the cut leader all along hears every job's end: its own
 * while it leads, the new leader's through Redis once it follows (a leader does not read the events
 * stream back; it reads it again once it stops leading).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import { ClientEvent, Namespace } from '@fleetwright/shared';
import type { MasterProcess } from '../../packages/master/test/support/master-process.js';
import { PostgresCluster } from '../../packages/master/test/support/postgres-cluster.js';
import { JobRunningWorker, RunLedger } from '../support/job-running-worker.js';
import { healthOf, jobStatusCounts, queryDatabase, startMasters, waitForLeader } from '../support/master-group.js';
import { TcpProxy } from '../../packages/master/test/support/tcp-proxy.js';
import { RedisServer } from '../support/redis-server.js';
import { waitFor } from '../support/wait-for.js';

const LEASE_MS = 3000;

/** A write through `master` that must never land: it answers an error or nothing at all. */
async function tryWrite(master: MasterProcess, body: unknown): Promise<number | 'no answer'> {
  try {
    return (await master.api('POST', '/jobs', body)).status;
  } catch {
    return 'no answer';
  }
}

describe('the leader partitioned from PostgreSQL', () => {
  let cluster: PostgresCluster | undefined;
  let proxy: TcpProxy | undefined;
  let masters: MasterProcess[] = [];
  let worker: JobRunningWorker | undefined;
  let redis: RedisServer | undefined;
  let client: Socket | undefined;

  afterEach(async () => {
    client?.disconnect();
    worker?.close();
    for (const m of masters) await m.close();
    await proxy?.close();
    await cluster?.stop();
    await redis?.stop();
    masters = [];
  });

  it.each(['reset', 'blackhole'] as const)(
    'cut by %s: the leader steps down and writes nothing, the other master takes over and runs the next job',
    async (cut) => {
      cluster = await PostgresCluster.start();
      const { url: databaseUrl } = await cluster.createDatabase();
      proxy = await TcpProxy.start(cluster.port);
      const throughProxy = databaseUrl.replace(`:${cluster.port}/`, `:${proxy.port}/`);
      redis = await new RedisServer().start();
      masters = await startMasters(2, (id) => ({
        FLEET_DATABASE_URL: id === 'master-1' ? throughProxy : databaseUrl,
        FLEET_REDIS_URL: redis!.url,
        FLEET_MASTER_ID: id,
        FLEET_LEADER_LEASE_MS: String(LEASE_MS),
      }));
      const [leader, follower] = masters as [MasterProcess, MasterProcess];
      expect(proxy.openConnections).toBeGreaterThan(0);
      // A connection of its own (the worker in this process talks to the same master).
      client = io(`${leader.url}${Namespace.Client}`, { auth: { token: leader.apiToken }, transports: ['websocket'], forceNew: true });
      const done = new Set<string>();
      client.on(ClientEvent.JobDone, (job: { id: string }) => done.add(job.id));
      await waitFor('the client to connect to the leader', () => (client!.connected ? true : undefined), 10_000);

      const ledger = new RunLedger();
      worker = new JobRunningWorker({ workerId: 'w1', masterUrls: [leader.url, follower.url], token: leader.workerToken, ledger, runMs: 50 });
      worker.start();
      const account = (await leader.api('POST', '/accounts', { platform: 'sandbox' })).body;
      const before = (await leader.api('POST', '/jobs', { type: 'crawl', accountId: account.id })).body;
      await waitFor(
        'the first job to succeed through the leader',
        async () => ((await jobStatusCounts(databaseUrl)).succeeded === 1 ? true : undefined),
        15_000,
      );
      expect(ledger.startsOf(before.id)).toHaveLength(1);

      if (cut === 'reset') proxy.reset();
      else proxy.blackhole();
      const cutAt = Date.now();

      // A write sent through the cut leader at once, while it may still think it leads. It may
      // wait inside the leader until the link comes back: it must not land even then.
      const [atCut, tookOverAt] = await Promise.all([
        tryWrite(leader, { type: 'crawl', accountId: account.id, idempotencyKey: 'through-the-cut-leader' }),
        waitForLeader([follower], 30_000).then(() => Date.now()),
      ]);
      expect(atCut).not.toBe(201);
      // Its /health and /metrics need the database it cannot reach; what shows it stepped down is
      // that it lets its workers go, so they find the new leader.
      const letGo = await waitFor('the cut leader to let its worker go', () => worker!.letGoBy.find((l) => l.url === leader.url), 30_000);
      // It stops acting as the leader once its lease may have lapsed, which is before another
      // master can take the lease: never two masters leading at once, even for a while.
      expect(letGo.at).toBeLessThanOrEqual(tookOverAt);

      // The fleet goes on: the worker finds the new leader, which runs the next job.
      await waitFor(
        'the worker to move to the other master',
        () => (worker!.connection.connected && worker!.masterUrl === follower.url ? true : undefined),
        30_000,
      );
      const after = (await follower.api('POST', '/jobs', { type: 'crawl', accountId: account.id })).body;
      await waitFor(
        'the job submitted after the cut to succeed',
        async () => ((await jobStatusCounts(databaseUrl)).succeeded === 2 ? true : undefined),
        30_000,
      );
      expect(ledger.startsOf(after.id)).toHaveLength(1);
      await waitFor("the new leader's job:done at the old leader's client", () => (done.has(after.id) ? true : undefined), 10_000);
      expect(done.has(before.id)).toBe(true);

      // The link comes back: what the old leader had in flight reaches the database late, and is
      // refused there (its epoch is gone); it follows the new leader and does not take the lead back.
      proxy.heal();
      const rejoined = await waitFor(
        'the old leader to answer /health again, following',
        async () => {
          const masters = (await healthOf(leader.url))?.masters;
          return masters && !masters.leading && masters.leader === 'master-2' ? masters : undefined;
        },
        30_000,
      );
      const afterHeal = await tryWrite(leader, { type: 'crawl', accountId: account.id, idempotencyKey: 'through-the-old-leader-after-heal' });
      // Passed on to the new leader, which applies it.
      expect(afterHeal).toBe(201);
      await waitFor('the forwarded job to succeed', async () => ((await jobStatusCounts(databaseUrl)).succeeded === 3 ? true : undefined), 30_000);
      await waitFor("the forwarded job's job:done at the old leader's client", () => (done.size === 3 ? true : undefined), 10_000);
      expect(client.connected).toBe(true);
      expect((await healthOf(follower.url))?.masters).toMatchObject({ leading: true, self: 'master-2' });

      const landed = await queryDatabase<{ idempotency_key: string }>(
        databaseUrl,
        "SELECT idempotency_key FROM jobs WHERE idempotency_key LIKE 'through-the-%'",
      );
      expect(landed.map((r) => r.idempotency_key)).toEqual(['through-the-old-leader-after-heal']);
      expect(await jobStatusCounts(databaseUrl)).toEqual({ succeeded: 3 });
      expect(ledger.duplicates()).toEqual([]);
      console.log(JSON.stringify({ cut, takeoverMs: tookOverAt - cutAt, stepDownMs: letGo.at - cutAt, writeAtCut: atCut, rejoined }));
    },
    90_000,
  );
});
