import { FleetError } from '@fleetwright/shared';
import type { LeaseRecord } from '../backend/leases-backend.js';
import { atomically, type Db } from './database.js';
import { leaseRecord } from '../backend/record-views.js';
import type { LeaseRow } from '../backend/records.js';

/**
 * The leases and lease_fences tables (see LeasesBackend and PostgresLeases): a lease's expiry apart
 * from its fence (holder and epoch), which only a change of hands or a take after a lapse moves. One
 * connection writes at a time, so a read-then-write is atomic here.
 */
export class LeaseStore {
  constructor(private readonly db: Db) {}

  acquire(name: string, holder: string, ttlMs: number, heldEpoch?: number): LeaseRecord | undefined {
    const now = Date.now();
    const current = this.row(name);
    const mine = current?.holder === holder && current.epoch === heldEpoch;
    if (current && !mine && current.expires_at > now) return undefined;
    if (current && current.expires_at > now) {
      this.db.prepare('UPDATE leases SET expires_at = ? WHERE name = ?').run(now + ttlMs, name);
      return leaseRecord({ ...current, expires_at: now + ttlMs });
    }
    // A released lease is taken above the fence's last epoch, so epochs only rise. A take from a
    // holder keeps its mark (see LeaseRecord.announcedThrough).
    const announcedThrough = current ? current.announced_through : now;
    const fence = this.db.prepare('SELECT epoch FROM lease_fences WHERE name = ?').get(name) as { epoch: number } | undefined;
    const epoch = Math.max(current?.epoch ?? 0, fence?.epoch ?? 0) + 1;
    atomically(this.db, () => {
      this.db
        .prepare(
          'INSERT INTO leases (name, holder, epoch, expires_at, announced_through) VALUES (?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, epoch = excluded.epoch, expires_at = excluded.expires_at',
        )
        .run(name, holder, epoch, now + ttlMs, announcedThrough);
      this.db
        .prepare(
          'INSERT INTO lease_fences (name, holder, epoch) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, epoch = excluded.epoch',
        )
        .run(name, holder, epoch);
    });
    return leaseRecord({ name, holder, epoch, expires_at: now + ttlMs, announced_through: announcedThrough });
  }

  release(name: string, holder: string, epoch: number): boolean {
    return this.db.prepare('DELETE FROM leases WHERE name = ? AND holder = ? AND epoch = ?').run(name, holder, epoch).changes > 0;
  }

  current(name: string): LeaseRecord | undefined {
    const row = this.row(name);
    return row && leaseRecord(row);
  }

  assertHeld(name: string, holder: string, epoch: number): void {
    const row = this.row(name);
    const fence = this.db.prepare('SELECT holder, epoch FROM lease_fences WHERE name = ?').get(name) as { holder: string; epoch: number } | undefined;
    if (!row || !fence || fence.holder !== holder || fence.epoch !== epoch || row.epoch !== epoch || row.expires_at <= Date.now())
      throw new FleetError('NOT_LEADER', `${holder} does not hold the ${name} lease under epoch ${epoch}`);
  }

  markAnnounced(name: string, holder: string, epoch: number, through: number): boolean {
    return (
      this.db.prepare('UPDATE leases SET announced_through = ? WHERE name = ? AND holder = ? AND epoch = ?').run(Math.round(through), name, holder, epoch)
        .changes > 0
    );
  }

  announce(id: string, url: string): void {
    this.db
      .prepare('INSERT INTO masters (id, url, seen_at) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET url = excluded.url, seen_at = excluded.seen_at')
      .run(id, url, Date.now());
  }

  urlOf(id: string): string | undefined {
    return (this.db.prepare('SELECT url FROM masters WHERE id = ?').get(id) as { url: string } | undefined)?.url;
  }

  private row(name: string): LeaseRow | undefined {
    return this.db.prepare('SELECT name, holder, epoch, expires_at, announced_through FROM leases WHERE name = ?').get(name) as LeaseRow | undefined;
  }
}
