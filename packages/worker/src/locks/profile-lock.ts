import Redlock, { type Lock } from 'redlock';
import { FleetError } from '@fleetwright/shared';
import type { ProfileLockOptions } from './profile-lock-options.js';

/** A held profile lock: its fencing token, and a way to give it back. */
export interface ProfileLease {
  readonly accountId: string;
  /** Monotonic per account: every acquisition gets a higher one than any before it. */
  readonly fenceToken: number;
  readonly lost: boolean;
  release(): Promise<void>;
}

/**
 * `profile:<accountId>` locks over Redis. redlock 5 is a beta whose `using()` has reported hangs,
 * so this takes the lock explicitly (`retryCount: 0` probes), runs its own extension timer, and
 * reports a failed extension as a lost lock at once.
 */
export class ProfileLocks {
  private readonly redlock: Redlock;
  private readonly prefix: string;
  private readonly ttlMs: number;
  private readonly held = new Set<HeldLease>();
  /** Since start, for the heartbeat's stats. */
  acquisitions = 0;
  losses = 0;

  constructor(private readonly options: ProfileLockOptions) {
    this.redlock = new Redlock([options.redis], { retryCount: 0, driftFactor: 0.01, automaticExtensionThreshold: 0 });
    // redlock emits 'error' for failed votes; without a listener an EventEmitter would throw.
    this.redlock.on('error', () => undefined);
    this.prefix = options.prefix ?? 'fleet:';
    this.ttlMs = options.ttlMs ?? 15_000;
  }

  /**
   * Takes the account's lock (retrying while another holder has it, up to `acquireTimeoutMs`),
   * then draws its fencing token. `onLost` runs once if an extension fails.
   */
  async acquire(accountId: string, onLost: (error: FleetError) => void, signal?: AbortSignal): Promise<ProfileLease> {
    const resource = `${this.prefix}profile:${accountId}`;
    const until = Date.now() + (this.options.acquireTimeoutMs ?? 30_000);
    let delay = 50;
    for (;;) {
      signal?.throwIfAborted();
      try {
        const lock = await this.redlock.acquire([resource], this.ttlMs);
        const fenceToken = await this.options.redis.incr(`${this.prefix}fence:${accountId}`);
        this.acquisitions += 1;
        const counted = (error: FleetError): void => {
          this.losses += 1;
          onLost(error);
        };
        const lease = new HeldLease(accountId, fenceToken, lock, this.ttlMs, counted, this.options.logger, () => this.held.delete(lease));
        this.held.add(lease);
        return lease;
      } catch (error) {
        if (error instanceof FleetError) throw error;
        if (Date.now() + delay > until) {
          throw new FleetError('LOCK_BUSY', `profile ${accountId} is locked by another holder`, { cause: error });
        }
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay = Math.min(delay * 2, 1000);
      }
    }
  }

  /** Releases every lease still held (shutdown). */
  async releaseAll(): Promise<void> {
    await Promise.allSettled([...this.held].map((lease) => lease.release()));
  }
}

class HeldLease implements ProfileLease {
  private lock: Lock;
  private timer: NodeJS.Timeout | undefined;
  private released = false;
  lost = false;

  constructor(
    readonly accountId: string,
    readonly fenceToken: number,
    lock: Lock,
    private readonly ttlMs: number,
    private readonly onLost: (error: FleetError) => void,
    private readonly logger: ProfileLockOptions['logger'],
    private readonly forget: () => void,
  ) {
    this.lock = lock;
    this.timer = setInterval(() => void this.extend(), Math.max(100, Math.floor(ttlMs / 3)));
    this.timer.unref();
  }

  private async extend(): Promise<void> {
    if (this.released || this.lost) return;
    try {
      this.lock = await this.lock.extend(this.ttlMs);
    } catch (error) {
      if (this.released) return;
      this.lost = true;
      clearInterval(this.timer);
      this.forget();
      this.logger.warn('profile lock lost', { accountId: this.accountId, fenceToken: this.fenceToken });
      this.onLost(new FleetError('LOCK_LOST', `lost the profile lock of account ${this.accountId}`, { cause: error }));
    }
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    clearInterval(this.timer);
    this.forget();
    if (this.lost) return;
    try {
      await this.lock.release();
    } catch {
      // expired already: nothing to give back
    }
  }
}
