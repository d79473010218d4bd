/** A lease as the store holds it. `expiresAt` is in ms since the epoch, by the store's clock. */
export interface LeaseRecord {
  name: string;
  holder: string;
  /** Rises each time the lease changes hands, or is taken again after it lapsed or was released; never falls. */
  epoch: number;
  expiresAt: number;
  /**
   * In ms since the epoch, by the holder's clock: every event of what the holder decided before
   * this has been published (see `markAnnounced`). A take leaves the previous holder's mark, so
   * the lease's new holder learns from it what may have been committed and never announced; a
   * lease taken while free (never taken, or released) is marked with the time of the take, by the
   * store's clock. Absent on a lease taken before the store knew marks.
   */
  announcedThrough?: number;
}

/**
 * Named leases with fencing epochs: how masters sharing one store agree which of them leads. A
 * holder takes a lease for a time to live and keeps it by taking it again before it lapses. The
 * store's clock decides when a lease lapses, so the masters' clocks need not agree.
 *
 * The epoch is the fence: a holder that checks it inside each transaction (`assertHeld`) writes
 * nothing once another holder has taken the lease, however late its own timers run.
 */
export interface LeasesBackend {
  /**
   * Takes or renews `name` for `holder` for `ttlMs`. Returns the lease, or undefined while a lease
   * that is not the caller's has not lapsed. Renewing keeps the epoch, and needs the epoch the
   * caller holds (`heldEpoch`): a lease under the caller's name but not under that epoch is
   * another's (a second master given the same FLEET_MASTER_ID, or this master's life before a
   * restart), so both never lead at once; the caller takes it once it lapses.
   */
  acquire(name: string, holder: string, ttlMs: number, heldEpoch?: number): Promise<LeaseRecord | undefined>;
  /** Gives the lease up if `holder` holds it under `epoch`, so another may take it at once; returns whether it did. */
  release(name: string, holder: string, epoch: number): Promise<boolean>;
  /** The lease as it stands (lapsed or not), or undefined if it was never taken or was released. */
  current(name: string): Promise<LeaseRecord | undefined>;
  /**
   * Inside a transaction: throws NOT_LEADER unless `holder` holds `name` under `epoch` and it has
   * not lapsed. Until the transaction ends the lease cannot change hands, so a transaction that
   * checks first either lands while its holder leads or writes nothing. The holder's renewals and
   * release do not wait for such a transaction; another holder's take does.
   */
  assertHeld(name: string, holder: string, epoch: number): Promise<void>;
  /**
   * Marks `name` announced through `through` (see LeaseRecord.announcedThrough) if `holder` holds
   * it under `epoch` (lapsed or not, until another takes it); returns whether it did.
   */
  markAnnounced(name: string, holder: string, epoch: number, through: number): Promise<boolean>;
  /** Records where master `id` answers (its base URL), so the others can reach the one that leads. */
  announce(id: string, url: string): Promise<void>;
  /** Where master `id` said it answers, if it did. */
  urlOf(id: string): Promise<string | undefined>;
}
