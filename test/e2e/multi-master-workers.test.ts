/**
 * A worker given the list of masters sharing one PostgreSQL database connects to the leader, and
 * to the next leader when that one dies.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import { ClientEvent, Namespace, WorkerEvent, createLogger } from '@fleetwright/shared';
import { MasterConnection } from '@fleetwright/worker';
import { MasterProcess } from '../../packages/master/test/support/master-process.js';
import { PostgresCluster } from '../../packages/master/test/support/postgres-cluster.js';
import { SimulatedWorker } from '../../packages/master/test/support/simulated-worker.js';
import { RedisServer } from '../support/redis-server.js';
import { waitFor } from '../support/wait-for.js';

const quiet = createLogger({ name: 'test', console: false });

const REGISTRATION = {
  host: 'h',
  version: '1',
  capabilities: [{ platform: 'sandbox', jobTypes: ['crawl'] }],
  maxAccounts: 5,
  maxConcurrency: 1,
  maxLiveContexts: 1,
  runningJobs: [],
};

describe('a worker with a list of masters', () => {
  let cluster: PostgresCluster;
  const procs: MasterProcess[] = [];
  let connection: MasterConnection | undefined;
  beforeAll(async () => {
    cluster = await PostgresCluster.start();
  });
  afterAll(() => cluster?.stop());
  afterEach(async () => {
    connection?.close();
    for (const proc of procs.splice(0)) await proc.close();
  });

  it('skips a master that does not lead, and moves to the new leader when the leader is killed hard', async () => {
    const { url } = await cluster.createDatabase();
    const env = (id: string) => ({ FLEET_DATABASE_URL: url, FLEET_MASTER_ID: id, FLEET_LEADER_LEASE_MS: '1500' });
    const a = await MasterProcess.create({ env: env('master-a') });
    procs.push(a);
    await a.start();
    await waitFor('master-a to lead', async () => ((await (await fetch(`${a.url}/health`)).json()).masters.leading ? true : undefined), 10_000);
    const b = await MasterProcess.create({ env: env('master-b'), secretsOf: a });
    procs.push(b);
    await b.start();

    // The follower is first in the list: the worker is sent on to the leader.
    connection = new MasterConnection({ masterUrl: b.url, masterUrls: [b.url, a.url], workerId: 'w1', token: a.workerToken, logger: quiet });
    connection.start();
    await waitFor('the worker to connect to master-a', () => (connection!.connected && connection!.masterUrl === a.url ? true : undefined), 10_000);
    expect((await connection.request(WorkerEvent.Register, REGISTRATION)).ok).toBe(true);

    await a.kill();
    await waitFor(
      'the worker to connect to master-b once it leads',
      () => (connection!.connected && connection!.masterUrl === b.url ? true : undefined),
      20_000,
    );
    expect((await connection.request(WorkerEvent.Register, REGISTRATION)).ok).toBe(true);
    expect((await b.api('GET', '/workers')).body.items).toEqual([expect.objectContaining({ id: 'w1', status: 'online' })]);
  });
  it('with Redis, a client on a master that does not lead hears every job:done, before and after the leader is killed', async () => {
    const redis = await new RedisServer().start();
    const workers: SimulatedWorker[] = [];
    let client: Socket | undefined;
    try {
      const { url } = await cluster.createDatabase();
      const env = (id: string) => ({ FLEET_DATABASE_URL: url, FLEET_REDIS_URL: redis.url, FLEET_MASTER_ID: id, FLEET_LEADER_LEASE_MS: '1500' });
      const a = await MasterProcess.create({ env: env('master-a') });
      procs.push(a);
      await a.start();
      await waitFor('master-a to lead', async () => ((await (await fetch(`${a.url}/health`)).json()).masters.leading ? true : undefined), 10_000);
      const b = await MasterProcess.create({ env: env('master-b'), secretsOf: a });
      procs.push(b);
      await b.start();

      // Without Redis, master-b's clients would hear none of what master-a decides.
      client = io(`${b.url}${Namespace.Client}`, { auth: { token: a.apiToken }, transports: ['websocket'] });
      const done: string[] = [];
      client.on(ClientEvent.JobDone, (job: { id: string }) => done.push(job.id));
      await waitFor('the client to connect to master-b', () => (client!.connected ? true : undefined), 10_000);

      const onA = new SimulatedWorker({ workerId: 'w1', url: a.url, token: a.workerToken, heartbeatEveryMs: 150 });
      workers.push(onA);
      await onA.start();
      const account = (await a.api('POST', '/accounts', { platform: 'sandbox' })).body;
      await onA.waitForAssign(account.id);
      const first = (await a.api('POST', '/jobs', { type: 'crawl', accountId: account.id })).body;
      expect((await onA.succeed(await onA.waitForRun(0))).ok).toBe(true);
      await waitFor('job:done of the first job on master-b', () => (done.includes(first.id) ? true : undefined), 10_000);

      await a.kill();
      onA.close();
      await waitFor('master-b to lead', async () => ((await (await fetch(`${b.url}/health`)).json()).masters.leading ? true : undefined), 15_000);
      const onB = new SimulatedWorker({ workerId: 'w1', url: b.url, token: a.workerToken, heartbeatEveryMs: 150 });
      workers.push(onB);
      await onB.start();
      const second = (await b.api('POST', '/jobs', { type: 'crawl', accountId: account.id })).body;
      const run = await waitFor('the second job to run through master-b', () => onB.runs.find((r) => r.jobId === second.id), 15_000);
      expect((await onB.succeed(run)).ok).toBe(true);
      await waitFor('job:done of the second job', () => (done.includes(second.id) ? true : undefined), 10_000);
      expect(client.connected).toBe(true);
      expect(done.filter((id) => id === first.id)).toHaveLength(1);
    } finally {
      client?.disconnect();
      for (const w of workers) w.close();
      await redis.stop();
    }
  });
});
