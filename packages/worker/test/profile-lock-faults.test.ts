import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, type FleetError } from '@fleetwright/shared';
import { ProfileLocks, type ProfileLease } from '@fleetwright/worker';
import { RedisServer } from '../../../test/support/redis-server.js';
import { waitFor } from '../../../test/support/wait-for.js';

const logger = createLogger({ name: 'test', console: false });
/** Longer than any acquire below may take: an acquire that retries instead of failing fast never ends in time. */
const LONGER_THAN_THE_TEST = 120_000;

/** Profile locks while their Redis stops, hangs (SIGSTOP) or restarts empty: each test has its own server. */
describe('ProfileLocks when Redis fails', () => {
  const servers: RedisServer[] = [];
  const clients: Redis[] = [];

  afterEach(async () => {
    for (const c of clients.splice(0)) c.disconnect();
    for (const server of servers.splice(0)) {
      server.resume(); // a test that failed mid-pause must not leave a frozen redis-server behind
      await server.stop();
    }
  });

  async function server(): Promise<RedisServer> {
    const started = await new RedisServer().start();
    servers.push(started);
    return started;
  }
  function client(of: RedisServer): Redis {
    const c = of.client();
    c.on('error', () => undefined); // the connection drops on purpose
    clients.push(c);
    return c;
  }
  function locks(redis: Redis, prefix: string, overrides: Partial<ConstructorParameters<typeof ProfileLocks>[0]> = {}): ProfileLocks {
    return new ProfileLocks({ redis, prefix, ttlMs: 1500, acquireTimeoutMs: 400, logger, ...overrides });
  }
  /** The loss as the holder saw it: the error, when, and how long the lock was still surely its own then. */
  function lossOf(): {
    onLost: (error: FleetError) => void;
    seen: () => { error: FleetError; at: number } | undefined;
    lease: (lease: ProfileLease) => void;
    validUntilAtLoss: () => number;
  } {
    let seen: { error: FleetError; at: number } | undefined;
    let held: ProfileLease | undefined;
    let validUntil = 0;
    return {
      onLost: (error) => {
        seen = { error, at: Date.now() };
        validUntil = held?.validUntil ?? 0;
      },
      seen: () => seen,
      lease: (lease) => (held = lease),
      validUntilAtLoss: () => validUntil,
    };
  }

  it('declares the lock lost before it can expire when Redis stops, and fires the lease’s lost signal', async () => {
    const redis = await server();
    const loss = lossOf();
    const lease = await locks(client(redis), `test:${randomUUID()}:`).acquire('acc-stop', loss.onLost);
    loss.lease(lease);
    await redis.stop();

    const seen = await waitFor('the lock loss after Redis stopped', loss.seen, 10_000, 20);
    expect(seen.error.code).toBe('LOCK_LOST');
    expect((seen.error.cause as FleetError).code).toBe('LOCK_UNAVAILABLE');
    // Another holder could take the lock only once its key expires: the holder heard first.
    expect(seen.at).toBeLessThanOrEqual(loss.validUntilAtLoss());
    expect(lease.lost).toBe(true);
    expect(lease.lostSignal.aborted).toBe(true);
    expect(lease.lostSignal.reason).toBe(seen.error);
  });

  it('times out extensions against a paused Redis (SIGSTOP) and declares the lock lost within its validity', async () => {
    const redis = await server();
    const prefix = `test:${randomUUID()}:`;
    const loss = lossOf();
    const lease = await locks(client(redis), prefix).acquire('acc-pause', loss.onLost);
    loss.lease(lease);
    redis.pause();

    const seen = await waitFor('the lock loss while Redis is paused', loss.seen, 10_000, 20);
    expect(seen.error.code).toBe('LOCK_LOST');
    expect((seen.error.cause as FleetError).code).toBe('LOCK_UNAVAILABLE');
    expect(seen.at).toBeLessThanOrEqual(loss.validUntilAtLoss());
    expect(lease.lostSignal.aborted).toBe(true);

    // Once Redis answers again, the lock can be taken anew, under a higher fence.
    redis.resume();
    const next = await locks(client(redis), prefix, { acquireTimeoutMs: 5000 }).acquire('acc-pause', () => undefined);
    expect(next.fenceToken).toBeGreaterThan(lease.fenceToken);
    await next.release();
  });

  it('fails an acquire with LOCK_UNAVAILABLE, not LOCK_BUSY, when Redis is down', async () => {
    const redis = await server();
    const c = client(redis);
    await redis.stop();
    const acquiring = locks(c, `test:${randomUUID()}:`, { acquireTimeoutMs: LONGER_THAN_THE_TEST }).acquire('acc-down', () => undefined);
    await expect(acquiring).rejects.toMatchObject({ code: 'LOCK_UNAVAILABLE' });
  });

  it('fails an acquire against a paused Redis with LOCK_UNAVAILABLE, and the late answer leaves no lock behind', async () => {
    const redis = await server();
    const prefix = `test:${randomUUID()}:`;
    const c = client(redis);
    await c.ping();
    redis.pause();
    const acquiring = locks(c, prefix, { ttlMs: 20_000, commandTimeoutMs: 300, acquireTimeoutMs: LONGER_THAN_THE_TEST }).acquire('acc-frozen', () => undefined);
    await expect(acquiring).rejects.toMatchObject({ code: 'LOCK_UNAVAILABLE' });

    // Redis runs the acquire it was sent once it wakes up; nobody holds that lock, so it must not stay.
    redis.resume();
    await c.ping();
    const lease = await locks(client(redis), prefix, { acquireTimeoutMs: 0 }).acquire('acc-frozen', () => undefined);
    await lease.release();
  });

  it('returns from a release against a paused Redis instead of hanging', async () => {
    const redis = await server();
    const prefix = `test:${randomUUID()}:`;
    const lease = await locks(client(redis), prefix, { ttlMs: 20_000, commandTimeoutMs: 300 }).acquire('acc-release', () => undefined);
    redis.pause();
    await lease.release();
    redis.resume();
  });

  it('keeps fences growing across a Redis restart that lost every key, and tells the old holder it lost the lock', async () => {
    const redis = await server();
    const prefix = `test:${randomUUID()}:`;
    const oldClient = client(redis);
    let lostWith: FleetError | undefined;
    // A long ttl: its next scheduled extension is 20 s away, so only asking on reconnect notices in time.
    const old = await locks(oldClient, prefix, { ttlMs: 60_000 }).acquire('acc-restart', (error) => (lostWith = error));

    await redis.restart();
    const newClient = client(redis);
    await newClient.ping();
    const next = await locks(newClient, prefix, { acquireTimeoutMs: 3000 }).acquire('acc-restart', () => undefined);
    expect(next.fenceToken).toBeGreaterThan(old.fenceToken);

    // The old holder asks as soon as its connection is back, finds the key gone: lost at once.
    await waitFor('the old holder to notice', () => lostWith, 10_000, 20);
    expect(lostWith?.code).toBe('LOCK_LOST');
    expect(lostWith?.cause).toBeUndefined(); // Redis answered "not yours": no unreachable Redis behind it
    expect(old.lost).toBe(true);
    await next.release();
  });

  it('keeps fences growing across a Redis restart that loaded a snapshot older than the latest fences', async () => {
    const redis = await server();
    const prefix = `test:${randomUUID()}:`;
    const admin = client(redis);
    const take = async (c: Redis): Promise<number> => {
      const lease = await locks(c, prefix).acquire('acc-snapshot', () => undefined);
      await lease.release();
      return lease.fenceToken;
    };
    await take(admin);
    await admin.save(); // the snapshot Redis will come back with
    const before = [await take(admin), await take(admin)];

    await redis.restart();
    const fresh = client(redis);
    await fresh.ping();
    expect(await take(fresh)).toBeGreaterThan(Math.max(...before));
  });
});
