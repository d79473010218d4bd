import { FleetError, type Logger } from '@fleetwright/shared';
import type { LeasesBackend } from '../store/backend/leases-backend.js';

/** The lease whose holder makes the fleet's decisions. */
export const LEADER_LEASE = 'scheduler';

export interface LeadershipOptions {
  /** This master's name in the lease (`FLEET_MASTER_ID`). */
  masterId: string;
  /**
   * How long a lease lasts without renewal: a dead leader's successor takes over within about this.
   * @defaultValue 6000
   */
  ttlMs?: number;
}

type Listener = (leading: boolean, epoch: number | undefined) => void;

/**
 * Which master leads, when several share one store: the holder of the `scheduler` lease. It renews
 * the lease every third of its life; a master that cannot renew (another holds it, or the store is
 * out of reach until the lease would have lapsed) steps down. `fence()` makes the store refuse the
 * decisions of a master that is no longer the holder, however late it notices.
 */
export class Leadership {
  private epoch: number | undefined;
  /** By this master's clock: when the lease it holds lapses at the latest, if not renewed. */
  private heldUntil = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly listeners: Listener[] = [];
  private readonly ttlMs: number;
  private stopped = false;
  private leaderId: string | undefined;

  constructor(
    private readonly leases: LeasesBackend,
    private readonly options: LeadershipOptions,
    private readonly logger: Logger,
  ) {
    this.ttlMs = options.ttlMs ?? 6000;
  }

  get masterId(): string {
    return this.options.masterId;
  }

  get leading(): boolean {
    return this.epoch !== undefined;
  }

  /** The holder as last seen: this master, another, or unknown. */
  get leader(): string | undefined {
    return this.leading ? this.options.masterId : this.leaderId;
  }

  get currentEpoch(): number | undefined {
    return this.epoch;
  }

  onChange(listener: Listener): void {
    this.listeners.push(listener);
  }

  /** Tries for the lease at once, then keeps trying (or renewing) every third of its life. */
  async start(): Promise<void> {
    await this.attempt();
    this.timer = setInterval(() => void this.attempt(), Math.max(50, Math.floor(this.ttlMs / 3)));
    this.timer.unref();
  }

  /** Inside a decision's transaction: NOT_LEADER unless this master holds the lease, which then cannot change hands until it ends. */
  async fence(): Promise<void> {
    if (this.epoch === undefined)
      throw new FleetError('NOT_LEADER', `master ${this.options.masterId} does not lead the fleet; ${this.leaderId ?? 'another master'} does`);
    await this.leases.assertHeld(LEADER_LEASE, this.options.masterId, this.epoch);
  }

  /** Stops renewing and gives the lease up, so another master takes over at once (a graceful stop). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    const epoch = this.epoch;
    this.change(undefined);
    if (epoch !== undefined) await this.leases.release(LEADER_LEASE, this.options.masterId, epoch).catch(() => undefined);
  }

  private async attempt(): Promise<void> {
    if (this.stopped) return;
    const askedAt = Date.now();
    try {
      const lease = await this.leases.acquire(LEADER_LEASE, this.options.masterId, this.ttlMs);
      if (this.stopped) return;
      if (lease) {
        this.heldUntil = askedAt + this.ttlMs;
        this.change(lease.epoch);
      } else {
        this.leaderId = (await this.leases.current(LEADER_LEASE))?.holder;
        this.change(undefined);
      }
    } catch (error) {
      // Out of reach: keep leading only while the lease it last got cannot have lapsed.
      if (this.epoch !== undefined && Date.now() >= this.heldUntil) {
        this.logger.warn('the store is out of reach and the leader lease may have lapsed: stepping down', { error });
        this.change(undefined);
      }
    }
  }

  private change(epoch: number | undefined): void {
    if (epoch === this.epoch) return;
    const was = this.epoch;
    this.epoch = epoch;
    if (epoch !== undefined) this.leaderId = this.options.masterId;
    this.logger.info(epoch === undefined ? 'this master no longer leads the fleet' : 'this master leads the fleet', {
      masterId: this.options.masterId,
      epoch: epoch ?? was,
    });
    for (const listener of this.listeners) listener(epoch !== undefined, epoch);
  }
}
