import { FleetError } from '@fleetwright/shared';
import type { LeaseRecord, LeasesBackend } from '../backend/leases-backend.js';
import { leaseRecord } from '../backend/record-views.js';
import type { LeaseRow } from '../backend/records.js';
import type { ClientScope } from './client-scope.js';

/** The database's clock in ms: every master reads the same one, whatever its own says. */
const NOW_MS = '(extract(epoch from clock_timestamp()) * 1000)::bigint';

/**
 * Leases on PostgreSQL. Taking one is a single conditional upsert, so two masters racing for it
 * get one winner. `assertHeld` holds a share lock on the lease row until its transaction ends, and
 * a takeover's update needs that row: the new holder waits for the old one's transaction, and every
 * later transaction of the old holder fails its check.
 */
export class PostgresLeases implements LeasesBackend {
  constructor(private readonly scope: ClientScope) {}

  async acquire(name: string, holder: string, ttlMs: number): Promise<LeaseRecord | undefined> {
    const row = await this.scope.row<LeaseRow>(
      `INSERT INTO leases AS l (name, holder, epoch, expires_at) VALUES ($1, $2, 1, ${NOW_MS} + $3)
       ON CONFLICT (name) DO UPDATE SET
         epoch = CASE WHEN l.holder = EXCLUDED.holder AND l.expires_at > ${NOW_MS} THEN l.epoch ELSE l.epoch + 1 END,
         holder = EXCLUDED.holder,
         expires_at = EXCLUDED.expires_at
       WHERE l.holder = EXCLUDED.holder OR l.expires_at <= ${NOW_MS}
       RETURNING name, holder, epoch, expires_at`,
      [name, holder, Math.round(ttlMs)],
    );
    return row && leaseRecord(row);
  }

  async release(name: string, holder: string, epoch: number): Promise<boolean> {
    return (await this.scope.changes('DELETE FROM leases WHERE name = $1 AND holder = $2 AND epoch = $3', [name, holder, epoch])) > 0;
  }

  async current(name: string): Promise<LeaseRecord | undefined> {
    const row = await this.scope.row<LeaseRow>('SELECT name, holder, epoch, expires_at FROM leases WHERE name = $1', [name]);
    return row && leaseRecord(row);
  }

  async assertHeld(name: string, holder: string, epoch: number): Promise<void> {
    const held = await this.scope.row(`SELECT 1 FROM leases WHERE name = $1 AND holder = $2 AND epoch = $3 AND expires_at > ${NOW_MS} FOR SHARE`, [
      name,
      holder,
      epoch,
    ]);
    if (!held) throw new FleetError('NOT_LEADER', `${holder} does not hold the ${name} lease under epoch ${epoch}`);
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
