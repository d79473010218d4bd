import type { Capability, WorkerStats, WorkerStatus, WorkerView } from '@fleetwright/shared';
import { FleetError } from '@fleetwright/shared';
import { atomically, type Db } from './database.js';
import { capabilitiesOf, workerView } from '../backend/record-views.js';
import type { WorkerCapacity, WorkerRegistration, WorkerRow, OwnedAccount } from '../backend/records.js';

export class WorkerStore {
  /** Platform → declared job types and payload schemas, rebuilt when a worker registers. */
  private capabilityIndex: Map<string, Capability[]> | undefined;

  constructor(private readonly db: Db) {}

  /** Every capability declared for a platform by any worker that ever registered. */
  capabilitiesFor(platform: string): Capability[] {
    this.capabilityIndex ??= this.buildCapabilityIndex();
    return this.capabilityIndex.get(platform) ?? [];
  }

  knownPlatforms(): string[] {
    this.capabilityIndex ??= this.buildCapabilityIndex();
    return [...this.capabilityIndex.keys()];
  }

  private buildCapabilityIndex(): Map<string, Capability[]> {
    const index = new Map<string, Capability[]>();
    for (const row of this.all()) for (const c of capabilitiesOf(row)) index.set(c.platform, [...(index.get(c.platform) ?? []), c]);
    return index;
  }

  /** Registers or re-registers a worker; it comes back online with a fresh heartbeat. */
  upsert(reg: WorkerRegistration): WorkerRow {
    this.capabilityIndex = undefined;
    const now = Date.now();
    this.db
      .prepare(
        `INSERT INTO workers (id, host, version, capabilities, max_accounts, max_concurrency, max_live_contexts, browser_version, status, last_heartbeat_at, created_at)
         VALUES (@id, @host, @version, @capabilities, @maxAccounts, @maxConcurrency, @maxLiveContexts, @browserVersion, @status, @now, @now)
         ON CONFLICT(id) DO UPDATE SET host = excluded.host, version = excluded.version, capabilities = excluded.capabilities,
           max_accounts = excluded.max_accounts, max_concurrency = excluded.max_concurrency, max_live_contexts = excluded.max_live_contexts,
           browser_version = excluded.browser_version,
           status = excluded.status, last_heartbeat_at = excluded.last_heartbeat_at, disconnected_at = NULL`,
      )
      .run({
        ...reg,
        browserVersion: reg.browserVersion ?? null,
        capabilities: JSON.stringify(reg.capabilities),
        status: reg.draining ? 'draining' : 'online',
        now,
      });
    return this.require(reg.id);
  }

  row(id: string): WorkerRow | undefined {
    return this.db.prepare('SELECT * FROM workers WHERE id = ?').get(id) as WorkerRow | undefined;
  }

  require(id: string): WorkerRow {
    const row = this.row(id);
    if (!row) throw new FleetError('WORKER_NOT_FOUND', `no worker ${id}`, { field: 'id' });
    return row;
  }

  /** Just what dispatch needs of a worker (no JSON columns): read per job on the hot path. */
  capacity(id: string): WorkerCapacity | undefined {
    return this.db.prepare('SELECT id, status, max_concurrency FROM workers WHERE id = ?').get(id) as WorkerCapacity | undefined;
  }

  all(): WorkerRow[] {
    return this.db.prepare('SELECT * FROM workers ORDER BY id').all() as WorkerRow[];
  }

  heartbeat(id: string, stats: WorkerStats): WorkerRow | undefined {
    return this.db.prepare('UPDATE workers SET last_heartbeat_at = ?, stats = ? WHERE id = ? RETURNING *').get(Date.now(), JSON.stringify(stats), id) as
      | WorkerRow
      | undefined;
  }

  heartbeatMany(beats: readonly { id: string; stats: WorkerStats; at: number }[]): { row: WorkerRow; owned: OwnedAccount[] }[] {
    const beat = this.db.prepare('UPDATE workers SET last_heartbeat_at = ?, stats = ? WHERE id = ? RETURNING *');
    const owned = this.db.prepare('SELECT id, epoch FROM accounts WHERE owner_worker_id = ? ORDER BY seq');
    return atomically(this.db, () =>
      beats.flatMap((b) => {
        const row = beat.get(b.at, JSON.stringify(b.stats), b.id) as WorkerRow | undefined;
        return row ? [{ row, owned: owned.all(b.id) as OwnedAccount[] }] : [];
      }),
    );
  }

  setStatus(id: string, status: WorkerStatus): void {
    const disconnectedAt = status === 'offline' ? Date.now() : null;
    this.db.prepare('UPDATE workers SET status = ?, disconnected_at = ? WHERE id = ?').run(status, disconnectedAt, id);
  }

  /** On master start every worker is offline until it reconnects and registers. */
  markAllOffline(): void {
    this.db.prepare("UPDATE workers SET status = 'offline', disconnected_at = ? WHERE status != 'offline'").run(Date.now());
  }

  countByStatus(): Record<WorkerStatus, number> {
    const out: Record<WorkerStatus, number> = { online: 0, draining: 0, offline: 0 };
    for (const r of this.db.prepare('SELECT status, COUNT(*) AS n FROM workers GROUP BY status').all() as { status: WorkerStatus; n: number }[])
      out[r.status] = r.n;
    return out;
  }

  capabilitiesOf(row: WorkerRow): Capability[] {
    return capabilitiesOf(row);
  }

  view(row: WorkerRow, accounts: number): WorkerView {
    return workerView(row, accounts);
  }
}
