import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, FleetError } from '@fleetwright/shared';
import { ProfileLocks } from '@fleetwright/worker';
import { RedisServer } from '../../../test/support/redis-server.js';
import { waitFor } from '../../../test/support/wait-for.js';

const logger = createLogger({ name: 'test', console: false });

describe('ProfileLocks over a real Redis', () => {
  const redis = new RedisServer();
  const clients: Redis[] = [];
  let prefix = '';
  const client = (): Redis => {
    const c = redis.client();
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    await redis.start();
  });
  afterAll(async () => {
    await redis.stop();
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.disconnect();
    prefix = '';
  });
  const locks = (overrides: Partial<ConstructorParameters<typeof ProfileLocks>[0]> = {}): ProfileLocks => {
    prefix ||= `test:${randomUUID()}:`;
    return new ProfileLocks({ redis: client(), prefix, ttlMs: 600, acquireTimeoutMs: 400, logger, ...overrides });
  };

  it('gives one holder at a time and a higher fencing token to each new holder', async () => {
    const a = locks();
    const b = locks();
    const first = await a.acquire('acc1', () => undefined);
    await expect(b.acquire('acc1', () => undefined)).rejects.toMatchObject({ code: 'LOCK_BUSY' });
    await first.release();
    const second = await b.acquire('acc1', () => undefined);
    expect(second.fenceToken).toBeGreaterThan(first.fenceToken);
    await second.release();
    expect([a.acquisitions, b.acquisitions]).toEqual([1, 1]);
  });

  it('keeps the lock past its ttl by extending it while held', async () => {
    const a = locks();
    const lease = await a.acquire('acc2', () => undefined);
    await new Promise((resolve) => setTimeout(resolve, 1500)); // 2.5 × ttl
    await expect(locks().acquire('acc2', () => undefined)).rejects.toBeInstanceOf(FleetError);
    expect(lease.lost).toBe(false);
    await lease.release();
  });

  it('reports a lost lock when its key is taken away, and a new holder gets a higher token', async () => {
    const a = locks();
    let lostWith: FleetError | undefined;
    const lease = await a.acquire('acc3', (error) => (lostWith = error));
    // Someone else deleted the key (a Redis failover, an operator): the next extension fails.
    await client().del(`${prefix}profile:acc3`);
    await waitFor('the lock loss to be noticed', () => lostWith, 3000, 20);
    expect(lostWith?.code).toBe('LOCK_LOST');
    expect(lease.lost).toBe(true);
    expect(a.losses).toBe(1);
    const next = await locks().acquire('acc3', () => undefined);
    expect(next.fenceToken).toBeGreaterThan(lease.fenceToken);
    await next.release();
  });

  it('waits for a busy lock that is released within acquireTimeoutMs', async () => {
    const a = locks();
    const held = await a.acquire('acc4', () => undefined);
    setTimeout(() => void held.release(), 150);
    const lease = await locks({ acquireTimeoutMs: 3000 }).acquire('acc4', () => undefined);
    expect(lease.fenceToken).toBe(held.fenceToken + 1);
    await lease.release();
  });

  it('lets exactly one of many concurrent acquirers win', async () => {
    const contenders = Array.from({ length: 8 }, () => locks({ acquireTimeoutMs: 0 }));
    const results = await Promise.allSettled(contenders.map((l) => l.acquire('acc-race', () => undefined)));
    const won = results.filter((r): r is PromiseFulfilledResult<Awaited<ReturnType<ProfileLocks['acquire']>>> => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'LOCK_BUSY' });
    await won[0]!.value.release();
  });

  it('hands the lock to waiting acquirers one at a time, each under a higher fence than the holder before', async () => {
    const contenders = Array.from({ length: 6 }, () => locks({ acquireTimeoutMs: 30_000 }));
    let holding = 0;
    let overlaps = 0;
    const fences: number[] = [];
    await Promise.all(
      contenders.map(async (l) => {
        const lease = await l.acquire('acc-queue', () => undefined);
        holding += 1;
        if (holding > 1) overlaps += 1;
        fences.push(lease.fenceToken);
        await new Promise((resolve) => setTimeout(resolve, 20));
        holding -= 1;
        await lease.release();
      }),
    );
    expect(overlaps).toBe(0);
    expect(fences).toHaveLength(contenders.length);
    for (let i = 1; i < fences.length; i += 1) expect(fences[i]).toBeGreaterThan(fences[i - 1]!);
  });

  it("never deletes another holder's lock on release", async () => {
    const stale = await locks({ ttlMs: 30_000 }).acquire('acc-release', () => undefined);
    // The stale holder's key is gone (it expired, or Redis lost it) and someone else took the lock.
    await client().del(`${prefix}profile:acc-release`);
    const current = await locks({ ttlMs: 30_000 }).acquire('acc-release', () => undefined);
    await stale.release();
    await expect(locks().acquire('acc-release', () => undefined)).rejects.toMatchObject({ code: 'LOCK_BUSY' });
    expect(current.lost).toBe(false);
    await current.release();
  });

  it('reports a lost lock when Redis itself goes away', async () => {
    const own = await new RedisServer().start();
    const c = own.client();
    c.on('error', () => undefined); // the connection drops on purpose
    clients.push(c);
    try {
      let lostWith: FleetError | undefined;
      const lease = await new ProfileLocks({ redis: c, prefix: `test:${randomUUID()}:`, ttlMs: 600, logger }).acquire('acc5', (error) => (lostWith = error));
      await own.stop();
      await waitFor('the lock loss after Redis stopped', () => lostWith, 10_000, 20);
      expect(lostWith?.code).toBe('LOCK_LOST');
      expect(lease.lost).toBe(true);
    } finally {
      await own.stop();
    }
  });
});
