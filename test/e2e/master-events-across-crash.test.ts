/**
 * A leader killed after it committed jobs' ends but before it published their events: the next
 * leader announces those ends, so an upstream client on a surviving master hears `job:done` for
 * every job all the same.
 *
 * The window between a commit and its publication is a tick in a healthy master, too short to hit
 * on purpose; here the leader's link to Redis is a black hole (a TCP proxy), so every event it
 * publishes waits on a link that never delivers while its decisions keep committing to
 * PostgreSQL. Then it is SIGKILLed: what it committed is in the database, what it announced never
 * reached Redis. The ends it did publish before the cut are not announced twice.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import { ClientEvent, Namespace } from '@fleetwright/shared';
import type { MasterProcess } from '../../packages/master/test/support/master-process.js';
import { PostgresCluster } from '../../packages/master/test/support/postgres-cluster.js';
import { TcpProxy } from '../../packages/master/test/support/tcp-proxy.js';
import { JobRunningWorker, RunLedger } from '../support/job-running-worker.js';
import { jobStatusCounts, startMasters, waitForLeader } from '../support/master-group.js';
import { RedisServer } from '../support/redis-server.js';
import { waitFor } from '../support/wait-for.js';

const ACCOUNTS = 4;
const JOBS_PER_PHASE = 12;

describe("a leader's events lost with it", () => {
  let cluster: PostgresCluster;
  let redis: RedisServer | undefined;
  let proxy: TcpProxy | undefined;
  let masters: MasterProcess[] = [];
  let worker: JobRunningWorker | undefined;
  let client: Socket | undefined;

  beforeAll(async () => {
    cluster = await PostgresCluster.start();
  });
  afterAll(() => cluster?.stop());
  afterEach(async () => {
    client?.disconnect();
    worker?.close();
    for (const m of masters) await m.close();
    await proxy?.close();
    await redis?.stop();
    masters = [];
  });

  it('are announced by the next leader: a client on a survivor hears job:done for every job', async () => {
    redis = await new RedisServer().start();
    proxy = await TcpProxy.start(Number(new URL(redis.url).port));
    const throughProxy = redis.url.replace(`:${new URL(redis.url).port}`, `:${proxy.port}`);
    const { url: databaseUrl } = await cluster.createDatabase();
    masters = await startMasters(2, (id) => ({
      FLEET_DATABASE_URL: databaseUrl,
      FLEET_REDIS_URL: id === 'master-1' ? throughProxy : redis!.url,
      FLEET_MASTER_ID: id,
    }));
    const [leader, survivor] = masters as [MasterProcess, MasterProcess];

    client = io(`${survivor.url}${Namespace.Client}`, { auth: { token: leader.apiToken }, transports: ['websocket'] });
    /** job:done heard at the client: job id → how many times. */
    const done = new Map<string, number>();
    client.on(ClientEvent.JobDone, (job: { id: string }) => done.set(job.id, (done.get(job.id) ?? 0) + 1));
    await waitFor('the client to connect', () => (client!.connected ? true : undefined), 10_000);

    worker = new JobRunningWorker({
      workerId: 'w1',
      masterUrls: masters.map((m) => m.url),
      token: leader.workerToken,
      ledger: new RunLedger(),
      runMs: 20,
      maxAccounts: ACCOUNTS,
    });
    worker.start();
    const accountIds: string[] = [];
    for (let i = 0; i < ACCOUNTS; i++) accountIds.push((await survivor.api('POST', '/accounts', { platform: 'sandbox' })).body.id);
    const submit = async (phase: number): Promise<string[]> => {
      const jobs = Array.from({ length: JOBS_PER_PHASE }, (_, n) => ({
        type: 'crawl',
        accountId: accountIds[n % ACCOUNTS]!,
        idempotencyKey: `p${phase}-${n}`,
      }));
      const res = await survivor.api('POST', '/jobs/bulk', { jobs });
      expect(res.status).toBe(201);
      return (res.body.items as { id: string }[]).map((item) => item.id);
    };

    // The path works while the leader reaches Redis.
    const before = await submit(1);
    await waitFor('job:done of the first jobs at the client', () => (before.every((id) => done.has(id)) ? true : undefined), 30_000);

    proxy.blackhole();
    const after = await submit(2);
    await waitFor(
      'the second jobs to succeed in the database',
      async () => ((await jobStatusCounts(databaseUrl)).succeeded === 2 * JOBS_PER_PHASE ? true : undefined),
      30_000,
      100,
    );
    // Their ends are committed; none was published.
    expect(after.filter((id) => done.has(id))).toEqual([]);

    await leader.kill();
    await waitForLeader([survivor], 30_000);
    await waitFor('job:done of every job at the client', () => (after.every((id) => done.has(id)) ? true : undefined), 15_000);
    // Once each: the new leader found the first jobs' ends in the events stream and did not repeat them.
    expect([...before, ...after].map((id) => done.get(id))).toEqual(Array(2 * JOBS_PER_PHASE).fill(1));
    expect(client.connected).toBe(true);
  }, 120_000);
});
