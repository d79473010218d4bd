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
  /** Steps down when the held lease may lapse, even while a renewal hangs on a silent link. */
  private lapseTimer: NodeJS.Timeout | undefined;
  /**
   * The renewal or bid under way (its number): one at a time, so hung ones cannot take the whole
   * pool; one that has not answered within a lease's life no longer holds the next back.
   */
  private asking: number | undefined;
  private asked = 0;
  private readonly listeners: Listener[] = [];
  private readonly ttlMs: number;
  private stopped = false;
  private leaderId: string | undefined;
  private takenMark: number | undefined;
  /** The lease was seen held under this master's id by another process (logged once). */
  private sharedIdLogged = false;

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

  /**
   * The lease's announcement mark as this master took it (LeaseRecord.announcedThrough): the
   * previous holder's, or the time of the take if the lease was free.
   */
  get announcedThroughAtTake(): number | undefined {
    return this.takenMark;
  }

  /** Marks the lease announced through `through` (LeasesBackend.markAnnounced) while it is held under `epoch`. */
  async markAnnounced(epoch: number, through: number): Promise<boolean> {
    if (this.epoch !== epoch) return false;
    return this.leases.markAnnounced(LEADER_LEASE, this.options.masterId, epoch, through);
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
    if (this.lapseTimer) clearTimeout(this.lapseTimer);
    const epoch = this.epoch;
    this.change(undefined);
    if (epoch !== undefined) await this.leases.release(LEADER_LEASE, this.options.masterId, epoch).catch(() => undefined);
  }

  private async attempt(): Promise<void> {
    if (this.stopped || this.asking !== undefined) return;
    const ask = ++this.asked;
    this.asking = ask;
    const askedAt = Date.now();
    const giveUp = setTimeout(() => this.endAsk(ask), this.ttlMs);
    giveUp.unref();
    try {
      const lease = await this.leases.acquire(LEADER_LEASE, this.options.masterId, this.ttlMs, this.epoch);
      if (this.stopped) return;
      // An answer that came after the lease it grants may have lapsed is no lease.
      if (lease && Date.now() < askedAt + this.ttlMs) {
        this.heldUntil = askedAt + this.ttlMs;
        this.armLapse();
        if (lease.epoch !== this.epoch) this.takenMark = lease.announcedThrough;
        this.change(lease.epoch);
      } else if (lease) {
        this.stepDownIfLapsed();
      } else {
        this.leaderId = (await this.leases.current(LEADER_LEASE))?.holder;
        if (this.leaderId === this.options.masterId && !this.sharedIdLogged) {
          this.sharedIdLogged = true;
          this.logger.error(
            "the leader lease is held under this master's FLEET_MASTER_ID by another process: give every master its own FLEET_MASTER_ID (a restarted master takes its lease once the old one lapses)",
            { masterId: this.options.masterId },
          );
        }
        this.change(undefined);
      }
    } catch (error) {
      this.stepDownIfLapsed(error);
    } finally {
      clearTimeout(giveUp);
      this.endAsk(ask);
    }
  }

  private endAsk(ask: number): void {
    if (this.asking === ask) this.asking = undefined;
  }

  /** Out of reach: keep leading only while the lease it last got cannot have lapsed. */
  private stepDownIfLapsed(error?: unknown): void {
    if (this.epoch === undefined || Date.now() < this.heldUntil) return;
    this.logger.warn('the store is out of reach and the leader lease may have lapsed: stepping down', { error });
    // Which master takes over is not known here until the store answers again.
    this.leaderId = undefined;
    this.change(undefined);
  }

  /**
   * A renewal on a link that went silent may never answer: the step-down cannot wait for it. The
   * lease lapses in the database no earlier than `heldUntil`, so this master stops leading before
   * another can take the lease.
   */
  private armLapse(): void {
    if (this.lapseTimer) clearTimeout(this.lapseTimer);
    this.lapseTimer = setTimeout(() => this.stepDownIfLapsed(), Math.max(0, this.heldUntil - Date.now()));
    this.lapseTimer.unref();
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
