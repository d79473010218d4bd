/**
 * Workers report their browsers to the leader only. A master that does not lead shows the same
 * readings in its account views: the leader passes each change on, and a master that starts
 * following asks for the leader's readings.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { MasterProcess } from '../../packages/master/test/support/master-process.js';
import { MasterProcesses, mastersSeenBy } from '../../packages/master/test/support/master-processes.js';
import { PostgresCluster } from '../../packages/master/test/support/postgres-cluster.js';
import { SimulatedWorker } from '../../packages/master/test/support/simulated-worker.js';
import { RedisServer } from '../support/redis-server.js';
import { waitFor } from '../support/wait-for.js';

describe("a follower's account views", () => {
  let cluster: PostgresCluster;
  let redis: RedisServer;
  const procs = new MasterProcesses();
  let worker: SimulatedWorker | undefined;
  beforeAll(async () => {
    cluster = await PostgresCluster.start();
    redis = await new RedisServer().start();
  });
  afterAll(async () => {
    await redis?.stop();
    cluster?.stop();
  });
  afterEach(async () => {
    worker?.close();
    await procs.closeAll();
  });

  const master = (url: string, id: string, secretsOf?: MasterProcess): Promise<MasterProcess> =>
    procs.start(url, id, { env: { FLEET_REDIS_URL: redis.url }, ...(secretsOf ? { secretsOf } : {}) });

  const browserOf = async (proc: MasterProcess, accountId: string) => (await proc.api('GET', `/accounts/${accountId}`)).body.browser;

  it('show the browsers the leader hears of, from a master started before and one started after they opened', async () => {
    const { url } = await cluster.createDatabase();
    const leader = await master(url, 'master-a');
    await waitFor('master-a to lead', async () => ((await mastersSeenBy(leader)).leading ? true : undefined), 10_000);
    const early = await master(url, 'master-b', leader);

    // Its own heartbeats keep it online (the masters expect one every 300 ms): without them the
    // leader marked it offline and cut it, mid-ack, on a loaded CI machine. They list no browsers.
    worker = await new SimulatedWorker({ workerId: 'w1', url: leader.url, token: leader.workerToken, heartbeatEveryMs: 100 }).start();
    const account = (await leader.api('POST', '/accounts', { platform: 'sandbox' })).body;
    const { epoch } = await worker.waitForAssign(account.id);
    expect(await browserOf(early, account.id)).toMatchObject({ state: 'stopped' });

    expect((await worker.heartbeat(undefined, [{ accountId: account.id, state: 'running', fenceToken: 7, error: null, epoch }])).ok).toBe(true);
    const running = { state: 'running', workerId: 'w1', lockHolder: { workerId: 'w1', fenceToken: 7 } };
    expect(await browserOf(leader, account.id)).toMatchObject(running);
    await waitFor(
      'the follower to show the browser running',
      async () => ((await browserOf(early, account.id)).state === 'running' ? true : undefined),
      10_000,
    );
    expect(await browserOf(early, account.id)).toMatchObject(running);

    // A master that starts following now asks for what the leader knows. Its ask waits for every
    // master's answer (up to the adapter's 5 s) and is made again until the leader's comes: on a
    // loaded machine (seen once, the whole e2e suite beside it) that took more than 10 s.
    const late = await master(url, 'master-c', leader);
    await waitFor(
      'the late follower to show the browser running',
      async () => ((await browserOf(late, account.id)).state === 'running' ? true : undefined),
      30_000,
    );
    expect(await browserOf(late, account.id)).toMatchObject(running);

    // The browser stops: every master shows it.
    expect((await worker.heartbeat(undefined, [])).ok).toBe(true);
    for (const proc of [early, late])
      await waitFor(
        `${proc.url} to show the browser stopped`,
        async () => ((await browserOf(proc, account.id)).state === 'stopped' ? true : undefined),
        10_000,
      );
  });
});
