import type { AccountStore, PoolMember } from '../store/account-store.js';

/**
 * Each pool's accounts with their ownership columns, in creation order, kept in memory so a pool
 * pick reads no rows: reading them per pool job (sealed states and all) made a pass cost what the
 * pools hold. Loaded on first use (an account's owner and epoch sit after its sealed state in the
 * row, so that read costs what the states weigh, once); then the account store tells it of every
 * change of tags, owner or epoch, and of accounts created and deleted. The account a pick chooses
 * is still checked against the database, so a change it missed (a write straight to the database,
 * a rolled-back transaction) can delay a pool job but never send it to the wrong account.
 */
export class PoolAccounts {
  private pools: Map<string, PoolMember[]> | undefined;
  /** The pools each loaded account is in and its seq, to find it in them again. */
  private readonly placed = new Map<string, { pools: string[]; seq: number }>();

  constructor(private readonly accounts: AccountStore) {
    accounts.onChange((accountId) => this.refresh(accountId));
  }

  /** A new pass's walk of the pools (see `pick`). */
  walk(): PoolWalk {
    return { from: new Map(), checked: new Set() };
  }

  /**
   * The pool's first member, in creation order, that `usable` accepts (idle, and ready on its
   * owner), checked against the database; or none. The walk keeps one pass's place in each pool:
   * the members before it were not usable, and within a pass an account only goes from usable to
   * busy, so a pass reads each pool once however many of its jobs it looks at. A member that
   * fails the check was missed by a change: it is read again and the pools walked from their start.
   */
  pick(pool: string, walk: PoolWalk, usable: (member: PoolMember) => boolean): PoolMember | undefined {
    const members = this.loaded().get(pool) ?? [];
    for (let at = walk.from.get(pool) ?? 0; at < members.length; at++) {
      const member = members[at]!;
      if (!usable(member)) continue;
      if (!walk.checked.has(member.id)) {
        const current = this.accounts.ownershipOf(member.id);
        if (current?.owner_worker_id !== member.owner_worker_id || current?.epoch !== member.epoch || !this.accounts.isInPool(member.id, pool)) {
          this.refresh(member.id);
          walk.from.clear(); // the refresh may have moved members of its other pools too
          return this.pick(pool, walk, usable);
        }
        walk.checked.add(member.id);
      }
      walk.from.set(pool, at);
      return member;
    }
    walk.from.set(pool, members.length);
    return undefined;
  }

  /** Reads the account's pools and ownership again (taking it out of every pool if it is gone). */
  refresh(accountId: string): void {
    if (!this.pools) return;
    const placed = this.placed.get(accountId);
    for (const pool of placed?.pools ?? []) {
      const members = this.pools.get(pool);
      if (!members) continue;
      const at = insertionPoint(members, placed!.seq);
      if (members[at]?.id === accountId) members.splice(at, 1);
      if (members.length === 0) this.pools.delete(pool);
    }
    this.placed.delete(accountId);
    const current = this.accounts.poolMemberOf(accountId);
    if (current) this.add(current.pools, current.member);
  }

  private loaded(): Map<string, PoolMember[]> {
    if (this.pools) return this.pools;
    this.pools = new Map();
    for (const { pool, member } of this.accounts.poolMembers()) this.add([pool], member);
    return this.pools;
  }

  private add(pools: string[], member: PoolMember): void {
    const map = this.pools!;
    for (const pool of pools) {
      let members = map.get(pool);
      if (!members) map.set(pool, (members = []));
      members.splice(insertionPoint(members, member.seq), 0, member);
    }
    const placed = this.placed.get(member.id);
    if (placed) placed.pools.push(...pools);
    else this.placed.set(member.id, { pools: [...pools], seq: member.seq });
  }
}

/** One pass's place in each pool, and the members it has checked against the database. */
export interface PoolWalk {
  readonly from: Map<string, number>;
  readonly checked: Set<string>;
}

/** The first index whose member's seq is not below `seq`: where it is, or where it goes to keep creation order. */
function insertionPoint(members: PoolMember[], seq: number): number {
  let low = 0;
  let high = members.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (members[mid]!.seq < seq) low = mid + 1;
    else high = mid;
  }
  return low;
}
