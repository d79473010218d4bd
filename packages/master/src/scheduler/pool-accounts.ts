import type { AccountOwnership } from '../store/backend/records.js';
import type { AccountsBackend } from '../store/backend/accounts-backend.js';

/** A pool's member in memory; its ownership is read when a pick first needs it. */
interface PoolEntry {
  seq: number;
  id: string;
  ownership?: AccountOwnership;
}

/** What a pool pick accepts: an account with no job in flight whose owner acknowledged its current epoch. */
export interface PoolPickRules {
  busy: ReadonlySet<string>;
  ready: (account: AccountOwnership) => boolean;
}

/** One pass's place in each pool, and the accounts it has checked against the database. */
export interface PoolWalk {
  readonly from: Map<string, number>;
  readonly checked: Set<string>;
}

/**
 * Each pool's accounts in creation order, kept in memory so that a pool pick reads no rows:
 * reading a pool's accounts per pool job (sealed states and all) made a pass cost what the pools
 * hold. Memberships are loaded on first use from the indexes alone. An account's owner and epoch
 * sit after its sealed state in the row, so each is read only when a pick first considers that
 * account, then kept. The backend tells this copy of every account created, deleted, re-tagged
 * or given a new owner; each such account is read again before the next pick. The account a pick chooses is still checked against the
 * database once per pass, so a change this copy missed (a write straight to the database, a
 * rolled-back transaction) can delay a pool job but never send it to the wrong account.
 */
export class PoolAccounts {
  private pools: Map<string, PoolEntry[]> | undefined;
  /** Where each loaded account sits: its pools and its seq. */
  private readonly placed = new Map<string, { pools: string[]; seq: number }>();
  /** Accounts changed since they were read: read again before the next pick. */
  private readonly stale = new Set<string>();

  constructor(private readonly accounts: AccountsBackend) {
    accounts.onChange((accountId) => this.stale.add(accountId));
  }

  /** A new pass's walk of the pools (see `pick`). */
  walk(): PoolWalk {
    return { from: new Map(), checked: new Set() };
  }

  /**
   * The pool's first account, in creation order, that `rules` accept; or none. The walk keeps one
   * pass's place in each pool: the accounts before it were not acceptable, and within a pass an
   * account only goes from acceptable to busy, so a pass walks each pool once however many of its
   * jobs it looks at. An account that fails the check against the database was missed by a
   * change: it is read again and the pools walked from their start.
   */
  async pick(pool: string, walk: PoolWalk, rules: PoolPickRules): Promise<AccountOwnership | undefined> {
    if (this.stale.size > 0) {
      for (const accountId of [...this.stale]) {
        this.stale.delete(accountId);
        await this.refresh(accountId);
      }
      walk.from.clear();
    }
    const entries = (await this.loaded()).get(pool) ?? [];
    for (let at = walk.from.get(pool) ?? 0; at < entries.length; at++) {
      const entry = entries[at]!;
      if (rules.busy.has(entry.id)) continue;
      const fresh = entry.ownership === undefined;
      entry.ownership ??= await this.accounts.ownershipOf(entry.id);
      if (!entry.ownership) return this.repick(entry.id, pool, walk, rules);
      if (!rules.ready(entry.ownership)) continue;
      if (!walk.checked.has(entry.id)) {
        if (!(fresh || (await this.ownershipHolds(entry.ownership))) || !(await this.accounts.isInPool(entry.id, pool)))
          return this.repick(entry.id, pool, walk, rules);
        walk.checked.add(entry.id);
      }
      walk.from.set(pool, at);
      return entry.ownership;
    }
    walk.from.set(pool, entries.length);
    return undefined;
  }

  /** The account was missed by a change: read it again, and walk the pools from their start. */
  private async repick(accountId: string, pool: string, walk: PoolWalk, rules: PoolPickRules): Promise<AccountOwnership | undefined> {
    await this.refresh(accountId);
    walk.from.clear(); // the refresh may have moved accounts of its other pools too
    return this.pick(pool, walk, rules);
  }

  /** Whether the database still has the kept owner and epoch. */
  private async ownershipHolds(kept: AccountOwnership): Promise<boolean> {
    const current = await this.accounts.ownershipOf(kept.id);
    return current?.owner_worker_id === kept.owner_worker_id && current.epoch === kept.epoch;
  }

  /** Reads the account's pools again and forgets its ownership (taking it out of every pool if it is gone). */
  private async refresh(accountId: string): Promise<void> {
    if (!this.pools) return;
    const placed = this.placed.get(accountId);
    for (const pool of placed?.pools ?? []) {
      const entries = this.pools.get(pool);
      if (!entries) continue;
      const at = insertionPoint(entries, placed!.seq);
      if (entries[at]?.id === accountId) entries.splice(at, 1);
      if (entries.length === 0) this.pools.delete(pool);
    }
    this.placed.delete(accountId);
    for (const membership of await this.accounts.poolMembershipsOf(accountId)) this.add(membership.pool, { seq: membership.seq, id: membership.id });
  }

  private async loaded(): Promise<Map<string, PoolEntry[]>> {
    if (this.pools) return this.pools;
    const memberships = (await this.accounts.poolMemberships()).sort((a, b) => a.seq - b.seq);
    this.pools = new Map();
    for (const { pool, seq, id } of memberships) this.add(pool, { seq, id });
    return this.pools;
  }

  private add(pool: string, entry: PoolEntry): void {
    let entries = this.pools!.get(pool);
    if (!entries) this.pools!.set(pool, (entries = []));
    entries.splice(insertionPoint(entries, entry.seq), 0, entry);
    const placed = this.placed.get(entry.id);
    if (placed) placed.pools.push(pool);
    else this.placed.set(entry.id, { pools: [pool], seq: entry.seq });
  }
}

/** The first index whose entry's seq is not below `seq`: where it is, or where it goes to keep creation order. */
function insertionPoint(entries: PoolEntry[], seq: number): number {
  let low = 0;
  let high = entries.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (entries[mid]!.seq < seq) low = mid + 1;
    else high = mid;
  }
  return low;
}
