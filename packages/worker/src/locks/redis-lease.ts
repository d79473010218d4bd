import { FleetError, type Logger } from '@fleetwright/shared';
import type { LockTimings } from './lock-timings.js';
import type { RedisLockScripts } from './redis-lock-scripts.js';

/** A held profile lock: its fencing token, whether it is still held, and a way to give it back. */
export interface ProfileLease {
  readonly accountId: string;
  /** Monotonic per account: every acquisition gets a higher one than any before it. */
  readonly fenceToken: number;
  readonly lost: boolean;
  /** Aborts, with the `LOCK_LOST` error as its reason, the moment the lock is lost (never on release). */
  readonly lostSignal: AbortSignal;
  /** Local time (ms) until which the lock is surely this holder's: last confirmed extension + ttl. */
  readonly validUntil: number;
  /** Idempotent; never throws (a lock Redis can't be told about expires by itself). */
  release(): Promise<void>;
}

export interface RedisLeaseParts {
  accountId: string;
  fenceToken: number;
  lockKey: string;
  owner: string;
  /** When the acquire that took the lock was sent: its validity counts from then. */
  sentAt: number;
  scripts: RedisLockScripts;
  timings: LockTimings;
  logger: Logger;
  onLost: (error: FleetError) => void;
  /** Called once the lease ends (lost or released), so its owner stops listing it. */
  onEnd: () => void;
}

/**
 * Keeps a Redis lock while it is held: extends it every third of its ttl, and gives it up as
 * soon as Redis answers that it is someone else's, or, when Redis can't be reached, a safety
 * margin before its last confirmed validity ends, so the holder stops before another can start.
 */
export class RedisLease implements ProfileLease {
  readonly accountId: string;
  readonly fenceToken: number;
  lost = false;
  validUntil: number;
  private readonly lostController = new AbortController();
  private extendTimer: NodeJS.Timeout | undefined;
  private deadlineTimer: NodeJS.Timeout | undefined;
  private lastFailure: FleetError | undefined;
  private extending = false;
  private releasing: Promise<void> | undefined;

  constructor(private readonly parts: RedisLeaseParts) {
    this.accountId = parts.accountId;
    this.fenceToken = parts.fenceToken;
    this.validUntil = parts.sentAt + parts.timings.ttlMs;
    this.armDeadline();
    this.scheduleExtend(parts.timings.extendEveryMs);
  }

  get lostSignal(): AbortSignal {
    return this.lostController.signal;
  }

  private get ended(): boolean {
    return this.lost || this.releasing !== undefined;
  }

  private scheduleExtend(delayMs: number): void {
    this.extendTimer = setTimeout(() => void this.extend(), delayMs);
    this.extendTimer.unref();
  }

  private armDeadline(): void {
    clearTimeout(this.deadlineTimer);
    const delayMs = Math.max(0, this.validUntil - this.parts.timings.safetyMarginMs - Date.now());
    this.deadlineTimer = setTimeout(
      () => this.declareLost(this.lastFailure ?? new FleetError('LOCK_UNAVAILABLE', 'Redis confirmed no extension in time')),
      delayMs,
    );
    this.deadlineTimer.unref();
  }

  /** Extends now instead of at the next tick: Redis is back after a drop and may have lost the lock. */
  checkNow(): void {
    if (this.ended || this.extending) return;
    clearTimeout(this.extendTimer);
    void this.extend();
  }

  private async extend(): Promise<void> {
    const { lockKey, owner, scripts, timings } = this.parts;
    const sentAt = Date.now();
    this.extending = true;
    try {
      const stillMine = await scripts.extend(lockKey, owner, timings.ttlMs);
      if (this.ended) return;
      if (!stillMine) return this.declareLost(undefined);
      this.lastFailure = undefined;
      this.validUntil = Math.max(this.validUntil, sentAt + timings.ttlMs);
      this.armDeadline();
      this.scheduleExtend(timings.extendEveryMs);
    } catch (error) {
      if (this.ended) return;
      // Not lost yet: the lock stays ours until its validity ends, so keep trying until then.
      this.lastFailure = error as FleetError;
      this.parts.logger.warn('could not extend a profile lock; trying again', { accountId: this.accountId, error: this.lastFailure.message });
      this.scheduleExtend(timings.retryEveryMs);
    } finally {
      this.extending = false;
    }
  }

  /** `unreachable` set: Redis couldn't confirm the lock in time. Unset: Redis said it isn't ours. */
  private declareLost(unreachable: FleetError | undefined): void {
    if (this.ended) return;
    this.lost = true;
    clearTimeout(this.extendTimer);
    clearTimeout(this.deadlineTimer);
    this.parts.onEnd();
    const error = unreachable
      ? new FleetError(
          'LOCK_LOST',
          `gave up the profile lock of account ${this.accountId}: Redis could not confirm it before its validity ended (${unreachable.message})`,
          { cause: unreachable },
        )
      : new FleetError('LOCK_LOST', `lost the profile lock of account ${this.accountId}: its key expired or another holder has it`);
    this.parts.logger.warn('profile lock lost', {
      accountId: this.accountId,
      fenceToken: this.fenceToken,
      reason: unreachable ? 'redis unreachable' : 'not ours',
    });
    this.lostController.abort(error);
    this.parts.onLost(error);
    // The key may outlive us on a Redis that comes back: delete it (only if still ours) so the
    // next holder need not wait for it to expire.
    if (unreachable) this.parts.scripts.release(this.parts.lockKey, this.parts.owner).catch(() => undefined);
  }

  release(): Promise<void> {
    this.releasing ??= this.releaseNow();
    return this.releasing;
  }

  private async releaseNow(): Promise<void> {
    clearTimeout(this.extendTimer);
    clearTimeout(this.deadlineTimer);
    if (this.lost) return;
    this.parts.onEnd();
    try {
      await this.parts.scripts.release(this.parts.lockKey, this.parts.owner);
    } catch (error) {
      this.parts.logger.warn('could not release a profile lock; it expires by itself', { accountId: this.accountId, error: (error as Error).message });
    }
  }
}
