import { randomUUID } from 'node:crypto';
import { FleetError } from '@fleetwright/shared';
import { lockTimings, type LockTimings } from './lock-timings.js';
import type { ProfileLockOptions } from './profile-lock-options.js';
import { RedisLease, type ProfileLease } from './redis-lease.js';
import { RedisLockScripts, type AcquireAnswer } from './redis-lock-scripts.js';

export type { ProfileLease } from './redis-lease.js';

/**
 * `profile:<accountId>` locks on one Redis, each with the account's fencing token. Our own small
 * lock rather than redlock (see docs/operations.md, "Redis for profile locks"): one atomic script
 * takes the lock and its token, every Redis call has a deadline, and a Redis that can't be reached
 * is told apart from a lock that another holder has (`LOCK_UNAVAILABLE`, not `LOCK_BUSY`).
 */
export class ProfileLocks {
  private readonly scripts: RedisLockScripts;
  private readonly prefix: string;
  private readonly timings: LockTimings;
  private readonly held = new Set<RedisLease>();
  /** Since start, for the heartbeat's stats. */
  acquisitions = 0;
  losses = 0;

  constructor(private readonly options: ProfileLockOptions) {
    this.timings = lockTimings(options);
    this.scripts = new RedisLockScripts(options.redis, this.timings.commandTimeoutMs);
    this.prefix = options.prefix ?? 'fleet:';
    // A Redis that comes back may have restarted without our locks and handed them out again:
    // ask at once rather than at the next extension, so the old holder stops first.
    options.redis.on('ready', () => {
      for (const lease of this.held) lease.checkNow();
    });
  }

  /**
   * Takes the account's lock and its fencing token in one step, retrying while another holder has
   * it (up to `acquireTimeoutMs`, then `LOCK_BUSY`). A Redis that can't be reached fails at once
   * with `LOCK_UNAVAILABLE`. `onLost` runs once if the lock is lost while held.
   */
  async acquire(accountId: string, onLost: (error: FleetError) => void, signal?: AbortSignal): Promise<ProfileLease> {
    const lockKey = `${this.prefix}profile:${accountId}`;
    const keys = { lock: lockKey, fence: `${this.prefix}fence:${accountId}`, fenceRun: `${this.prefix}fence-run:${accountId}` };
    const until = Date.now() + this.timings.acquireTimeoutMs;
    let delay = 50;
    for (;;) {
      signal?.throwIfAborted();
      const owner = randomUUID();
      const sentAt = Date.now();
      let answer: AcquireAnswer;
      try {
        answer = await this.scripts.acquire(keys, owner, this.timings.ttlMs);
      } catch (error) {
        // Redis may still run this acquire once it answers again; this owner's lock must not stay.
        this.scripts.release(lockKey, owner).catch(() => undefined);
        throw new FleetError('LOCK_UNAVAILABLE', `could not take the profile lock of account ${accountId}: ${(error as Error).message}`, { cause: error });
      }
      if (answer.taken) return this.hold(accountId, answer.fenceToken, lockKey, owner, sentAt, onLost);
      if (Date.now() + delay > until) throw new FleetError('LOCK_BUSY', `profile ${accountId} is locked by another holder`);
      // No longer than the holder's key has left to live: an expiring lock is taken as it frees.
      await new Promise((resolve) => setTimeout(resolve, answer.heldForMs > 0 ? Math.min(delay, answer.heldForMs + 5) : delay));
      delay = Math.min(delay * 2, 1000);
    }
  }

  private hold(accountId: string, fenceToken: number, lockKey: string, owner: string, sentAt: number, onLost: (error: FleetError) => void): ProfileLease {
    this.acquisitions += 1;
    const lease = new RedisLease({
      accountId,
      fenceToken,
      lockKey,
      owner,
      sentAt,
      scripts: this.scripts,
      timings: this.timings,
      logger: this.options.logger,
      onLost: (error) => {
        this.losses += 1;
        onLost(error);
      },
      onEnd: () => this.held.delete(lease),
    });
    this.held.add(lease);
    return lease;
  }

  /** Releases every lease still held (shutdown). */
  async releaseAll(): Promise<void> {
    await Promise.allSettled([...this.held].map((lease) => lease.release()));
  }
}
