/**
 * A worker given the list of masters sharing one PostgreSQL database connects to the leader, and
 * to the next leader when that one dies.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WorkerEvent, createLogger } from '@fleetwright/shared';
import { MasterConnection } from '@fleetwright/worker';
import { MasterProcess } from '../../packages/master/test/support/master-process.js';
import { PostgresCluster } from '../../packages/master/test/support/postgres-cluster.js';
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
});
