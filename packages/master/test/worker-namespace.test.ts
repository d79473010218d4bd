import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WorkerEvent, type WorkerHeartbeat } from '@fleetwright/shared';
import { MasterFixture } from './support/master-fixture.js';
import type { SimulatedWorker } from './support/simulated-worker.js';

describe('the /worker namespace authenticates and validates every worker message', () => {
  let fx: MasterFixture;
  beforeEach(async () => {
    fx = await MasterFixture.start();
  });
  afterEach(async () => {
    await fx?.close();
  });

  async function connectError(worker: SimulatedWorker): Promise<Error & { data?: { code?: string; message?: string } }> {
    try {
      await worker.connect();
    } catch (error) {
      return error as Error & { data?: { code?: string } };
    }
    throw new Error('the master accepted the connection');
  }

  it('refuses a worker with a wrong fleet token with connect_error UNAUTHORIZED', async () => {
    const error = await connectError(fx.worker('w1', { token: 'fww_wrong' }));
    expect(error.data).toMatchObject({ code: 'UNAUTHORIZED', message: expect.any(String) });
    const workers = await fx.api('GET', '/workers');
    expect(workers.body.items).toEqual([]);
  });

  it('refuses a worker whose handshake has no worker id with connect_error UNAUTHORIZED', async () => {
    const error = await connectError(fx.worker('', {}));
    expect(error.data?.code).toBe('UNAUTHORIZED');
  });

  it('answers an invalid register with VALIDATION_FAILED on the field, keeps the socket, and accepts a valid one after', async () => {
    const worker = fx.worker('w1');
    await worker.connect();
    const bad = await worker.register({ maxConcurrency: 'x' });
    expect(bad).toEqual({ ok: false, error: expect.objectContaining({ code: 'VALIDATION_FAILED', field: 'maxConcurrency' }) });
    expect(worker.socket.connected).toBe(true);
    expect((await fx.api('GET', '/workers')).body.items).toEqual([]);

    const good = await worker.register();
    expect(good).toEqual({ ok: true, data: { heartbeatIntervalMs: 10_000, ownedAccountIds: [] } });
    const workers = await fx.api('GET', '/workers');
    expect(workers.body.items).toEqual([
      expect.objectContaining({
        id: 'w1',
        status: 'online',
        host: 'sim-host',
        maxConcurrency: 4,
        capabilities: [{ platform: 'sandbox', jobTypes: ['crawl', 'login'] }],
      }),
    ]);
  });

  it('answers a heartbeat sent before register with an error and keeps the connection', async () => {
    const worker = fx.worker('w1');
    await worker.connect();
    const ack = await worker.heartbeat();
    expect(ack).toEqual({ ok: false, error: expect.objectContaining({ code: 'CONFLICT', message: expect.stringContaining(WorkerEvent.Register) }) });
    expect(worker.socket.connected).toBe(true);
    expect((await fx.api('GET', '/workers')).body.items).toEqual([]);
    expect((await worker.register()).ok).toBe(true);
  });

  it('answers an invalid heartbeat with VALIDATION_FAILED on the stats field', async () => {
    const worker = await fx.worker('w1').start();
    const ack = await worker.socket.timeout(5_000).emitWithAck(WorkerEvent.Heartbeat, { stats: { rssBytes: -1 } } as unknown as WorkerHeartbeat);
    expect(ack).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED', field: 'stats.rssBytes' } });
    expect(worker.socket.connected).toBe(true);
  });

  it('shows the stats and lastHeartbeatAt of the last heartbeat in GET /workers', async () => {
    const worker = await fx.worker('w1').start();
    const registeredAt = Date.parse((await fx.api('GET', '/workers')).body.items[0].lastHeartbeatAt);
    const stats = { rssBytes: 123_456, browserRssBytes: 654_321, cpuPercent: 12.5, liveContexts: 2, runningJobs: 1 };
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await worker.heartbeat(stats)).toEqual({ ok: true });

    const workers = await fx.api('GET', '/workers');
    const w1 = workers.body.items.find((w: { id: string }) => w.id === 'w1');
    expect(w1.stats).toEqual(stats);
    expect(Date.parse(w1.lastHeartbeatAt)).toBeGreaterThan(registeredAt);
    expect(Date.now() - Date.parse(w1.lastHeartbeatAt)).toBeLessThan(5_000);
  });
});
