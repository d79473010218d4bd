import { FleetError } from '@fleetwright/shared';
import type { LeaseRecord, LeasesBackend } from '../backend/leases-backend.js';
import { leaseRecord } from '../backend/record-views.js';
import type { LeaseRow } from '../backend/records.js';
import type { ClientScope } from './client-scope.js';

/** The database's clock in ms: every master reads the same one, whatever its own says. */
const NOW_MS = '(extract(epoch from clock_timestamp()) * 1000)::bigint';

/**
 * Leases on PostgreSQL. Each lease is two rows: its expiry in `leases`, its fence in `lease_fences`
 * (holder and epoch). `assertHeld` holds a share lock on the fence row until its transaction ends;
 * the holder's renewal moves only the expiry row, so it never waits for the holder's own decisions,
 * however long they run. Taking the lease from another holder (or again after it lapsed) is one
 * statement that wins the expiry row and then raises the fence row's epoch: it waits for the old
 * holder's open fenced transactions, and every later one of them fails its check.
 */
export class PostgresLeases implements LeasesBackend {
  constructor(private readonly scope: ClientScope) {}

  async acquire(name: string, holder: string, ttlMs: number, heldEpoch?: number): Promise<LeaseRecord | undefined> {
    const ttl = Math.round(ttlMs);
    const renewed =
      heldEpoch === undefined
        ? undefined
        : await this.scope.row<LeaseRow>(
            `UPDATE leases SET expires_at = ${NOW_MS} + $3 WHERE name = $1 AND holder = $2 AND epoch = $4 AND expires_at > ${NOW_MS}
             RETURNING name, holder, epoch, expires_at, announced_through`,
            [name, holder, ttl, heldEpoch],
          );
    if (renewed) return leaseRecord(renewed);
    // Free, lapsed, or released: the conditional upsert on the expiry row picks one winner; a
    // released lease is taken above the fence's last epoch, so epochs only rise. A take from a
    // holder keeps its mark (see LeaseRecord.announcedThrough).
    const taken = await this.scope.row<LeaseRow>(
      `WITH taken AS (
         INSERT INTO leases AS l (name, holder, epoch, expires_at, announced_through)
         VALUES ($1, $2, COALESCE((SELECT epoch FROM lease_fences WHERE name = $1), 0) + 1, ${NOW_MS} + $3, ${NOW_MS})
         ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, epoch = l.epoch + 1, expires_at = EXCLUDED.expires_at
         WHERE l.expires_at <= ${NOW_MS}
         RETURNING name, holder, epoch, expires_at, announced_through
       ), fenced AS (
         INSERT INTO lease_fences AS f (name, holder, epoch) SELECT name, holder, epoch FROM taken
         ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, epoch = EXCLUDED.epoch
         RETURNING epoch
       )
       SELECT taken.name, taken.holder, taken.epoch, taken.expires_at, taken.announced_through FROM taken JOIN fenced ON fenced.epoch = taken.epoch`,
      [name, holder, ttl],
    );
    return taken && leaseRecord(taken);
  }

  async release(name: string, holder: string, epoch: number): Promise<boolean> {
    return (await this.scope.changes('DELETE FROM leases WHERE name = $1 AND holder = $2 AND epoch = $3', [name, holder, epoch])) > 0;
  }

  async current(name: string): Promise<LeaseRecord | undefined> {
    const row = await this.scope.row<LeaseRow>('SELECT name, holder, epoch, expires_at, announced_through FROM leases WHERE name = $1', [name]);
    return row && leaseRecord(row);
  }

  async assertHeld(name: string, holder: string, epoch: number): Promise<void> {
    const held = await this.scope.row(
      `SELECT 1 FROM lease_fences f JOIN leases l ON l.name = f.name AND l.epoch = f.epoch
       WHERE f.name = $1 AND f.holder = $2 AND f.epoch = $3 AND l.expires_at > ${NOW_MS} FOR SHARE OF f`,
      [name, holder, epoch],
    );
    if (!held) throw new FleetError('NOT_LEADER', `${holder} does not hold the ${name} lease under epoch ${epoch}`);
  }

  async markAnnounced(name: string, holder: string, epoch: number, through: number): Promise<boolean> {
    return (
      (await this.scope.changes('UPDATE leases SET announced_through = $4 WHERE name = $1 AND holder = $2 AND epoch = $3', [
        name,
        holder,
        epoch,
        Math.round(through),
      ])) > 0
    );
  }

  async announce(id: string, url: string): Promise<void> {
    await this.scope.changes(
      `INSERT INTO masters (id, url, seen_at) VALUES ($1, $2, ${NOW_MS}) ON CONFLICT (id) DO UPDATE SET url = EXCLUDED.url, seen_at = EXCLUDED.seen_at`,
      [id, url],
    );
  }

  async urlOf(id: string): Promise<string | undefined> {
    return (await this.scope.row<{ url: string }>('SELECT url FROM masters WHERE id = $1', [id]))?.url;
  }
}
