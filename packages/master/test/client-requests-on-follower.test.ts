/**
 * A `/client` socket may connect to any master: on a follower, a request that changes the fleet is
 * the leader's decision, sent there as the REST request it stands for, and answered as the leader
 * answers it.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import { ClientRequest, Namespace, requestWithAck } from '@fleetwright/shared';
import type { MasterProcess } from './support/master-process.js';
import { MasterProcesses, mastersSeenBy } from './support/master-processes.js';
import { PostgresCluster } from './support/postgres-cluster.js';
import { SimulatedWorker } from './support/simulated-worker.js';
import { waitUntil } from './support/wait-until.js';

describe('a /client socket on a master that does not lead', () => {
  let cluster: PostgresCluster;
  const procs = new MasterProcesses();
  const sockets: Socket[] = [];
  const workers: SimulatedWorker[] = [];
  beforeAll(async () => {
    cluster = await PostgresCluster.start();
  });
  afterAll(() => cluster?.stop());
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.close();
    for (const worker of workers.splice(0)) worker.close();
    await procs.closeAll();
  });

  const master = (url: string, id: string, secretsOf?: MasterProcess): Promise<MasterProcess> => procs.start(url, id, secretsOf ? { secretsOf } : {});

  async function client(proc: MasterProcess, token: string): Promise<Socket> {
    const socket = io(`${proc.url}${Namespace.Client}`, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
    sockets.push(socket);
    await waitUntil('the /client socket to connect', () => (socket.connected ? true : undefined));
    return socket;
  }

  it("creates and cancels jobs through the leader, passes the leader's refusals back, and still refuses a viewer itself", async () => {
    const { url } = await cluster.createDatabase();
    const leader = await master(url, 'master-a');
    await waitUntil('master-a to lead', async () => ((await mastersSeenBy(leader)).leading ? true : undefined), 10_000);
    const follower = await master(url, 'master-b', leader);
    expect(await mastersSeenBy(follower)).toMatchObject({ self: 'master-b', leader: 'master-a', leading: false });

    const onLeader = workers[workers.push(new SimulatedWorker({ workerId: 'w1', url: leader.url, token: leader.workerToken, heartbeatEveryMs: 150 })) - 1]!;
    await onLeader.start();
    const account = (await leader.api('POST', '/accounts', { platform: 'sandbox' })).body;
    await onLeader.waitForAssign(account.id);

    const socket = await client(follower, follower.apiToken);
    const created = await requestWithAck(
      socket,
      ClientRequest.JobCreate,
      { type: 'crawl', accountId: account.id, payload: {}, idempotencyKey: 'via-follower' },
      10_000,
    );
    expect(created).toMatchObject({ ok: true, data: { type: 'crawl', accountId: account.id, idempotencyKey: 'via-follower', status: 'queued' } });
    const jobId = (created as { data: { id: string } }).data.id;
    // The leader decided it: it dispatches it to its worker, which runs it.
    expect((await onLeader.succeed(await onLeader.waitForRun(0))).ok).toBe(true);
    await waitUntil('the job to succeed', async () => ((await leader.api('GET', `/jobs/${jobId}`)).body.status === 'succeeded' ? true : undefined));

    // A refusal is the leader's, field and all.
    const refused = await requestWithAck(
      socket,
      ClientRequest.JobCreate,
      { type: 'crawl', accountId: '00000000-0000-4000-8000-000000000000', payload: {} },
      10_000,
    );
    expect(refused).toMatchObject({ ok: false, error: { code: 'ACCOUNT_NOT_FOUND', field: 'accountId' } });

    // Cancel, through the leader too.
    const queued = (await leader.api('POST', '/jobs', { type: 'crawl', accountId: account.id, runAfter: new Date(Date.now() + 3_600_000).toISOString() })).body;
    const cancelled = await requestWithAck(socket, ClientRequest.JobCancel, { jobId: queued.id }, 10_000);
    expect(cancelled).toMatchObject({ ok: true, data: { id: queued.id, status: 'cancelled' } });

    // A viewer is refused where it connected, before anything is sent on.
    const viewerToken: string = (await leader.api('POST', '/tokens', { name: 'watch', role: 'viewer' })).body.token;
    const viewer = await client(follower, viewerToken);
    const forbidden = await requestWithAck(viewer, ClientRequest.JobCreate, { type: 'crawl', accountId: account.id, payload: {} }, 10_000);
    expect(forbidden).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });
});
