import type { Redis } from 'ioredis';
import { FleetError } from '@fleetwright/shared';

/**
 * Takes a free lock and, in the same atomic step, the account's next fencing token, so no holder
 * can ever carry a lower token than one before it. The fence only grows by one while the Redis
 * that handed it out still runs (its run_id is kept beside the fence). Any other Redis (restarted
 * empty, restored from a snapshot that misses the latest tokens, or a promoted replica) first
 * lifts the fence to its clock in milliseconds: above every token handed out before, as long as
 * an account took fewer than 1,000 locks a second and the Redis hosts' clocks agree (NTP).
 * KEYS: lock, fence, fence's run. ARGV: owner, ttl ms. Answers {1, fence} or {0, holder's ms left}.
 */
const ACQUIRE = `
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return {0, redis.call('PTTL', KEYS[1])}
end
local run = string.match(redis.call('INFO', 'server'), 'run_id:(%x+)')
if redis.call('GET', KEYS[3]) ~= run then
  local now = redis.call('TIME')
  local clock = now[1] .. string.format('%03d', math.floor(tonumber(now[2]) / 1000))
  if tonumber(clock) > tonumber(redis.call('GET', KEYS[2]) or '0') then
    redis.call('SET', KEYS[2], clock)
  end
  redis.call('SET', KEYS[3], run)
end
return {1, redis.call('INCR', KEYS[2])}
`;

/** Extends the lock only while it is still this owner's. KEYS: lock. ARGV: owner, ttl ms. */
const EXTEND = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
`;

/** Deletes the lock only while it is still this owner's. KEYS: lock. ARGV: owner. */
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`;

export type AcquireAnswer = { taken: true; fenceToken: number } | { taken: false; heldForMs: number };

/**
 * The lock's three steps on one Redis, each a Lua script (atomic there) and each bounded by
 * `timeoutMs`: a Redis that is down or frozen turns into `LOCK_UNAVAILABLE`, never a hang.
 * A call given up on may still run once Redis answers again; callers plan for that.
 */
export class RedisLockScripts {
  constructor(
    private readonly redis: Redis,
    private readonly timeoutMs: number,
  ) {}

  async acquire(keys: { lock: string; fence: string; fenceRun: string }, owner: string, ttlMs: number): Promise<AcquireAnswer> {
    const [taken, value] = (await this.run('acquire', ACQUIRE, [keys.lock, keys.fence, keys.fenceRun], [owner, ttlMs])) as [number, number];
    return taken === 1 ? { taken: true, fenceToken: value } : { taken: false, heldForMs: value };
  }

  /** True while the lock was still this owner's, now extended; false once it is gone or another's. */
  async extend(lockKey: string, owner: string, ttlMs: number): Promise<boolean> {
    return (await this.run('extend', EXTEND, [lockKey], [owner, ttlMs])) === 1;
  }

  async release(lockKey: string, owner: string): Promise<boolean> {
    return (await this.run('release', RELEASE, [lockKey], [owner])) === 1;
  }

  private run(step: string, script: string, keys: string[], args: Array<string | number>): Promise<unknown> {
    const call = this.redis.eval(script, keys.length, ...keys, ...args);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new FleetError('LOCK_UNAVAILABLE', `Redis did not answer the lock ${step} within ${this.timeoutMs} ms`)),
        this.timeoutMs,
      );
      call.then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (error: unknown) => {
          clearTimeout(timer);
          const message = error instanceof Error ? error.message : String(error);
          reject(new FleetError('LOCK_UNAVAILABLE', `Redis failed the lock ${step}: ${message.split('\n')[0]!.slice(0, 300)}`, { cause: error }));
        },
      );
    });
  }
}
