import { FleetError, type Capability, type WorkerStats, type WorkerStatus, type WorkerView } from '@fleetwright/shared';
import type { OwnedAccount, WorkerCapacity, WorkerRegistration, WorkerRow } from '../backend/records.js';
import type { WorkersBackend } from '../backend/workers-backend.js';
import type { ClientScope } from './client-scope.js';
import { capabilitiesOf, workerView } from '../backend/record-views.js';

/** The capability index's key in a transaction's memos (ClientScope.memo). */
const CAPABILITIES = 'workers.capabilities';

/**
 * WorkersBackend on PostgreSQL. Capabilities are read from the table rather than kept in memory
 * (another master may register a worker), once per transaction: a decision batch reads them for
 * every job it creates, dispatches or finishes.
 */
export class PostgresWorkers implements WorkersBackend {
  /** A declaration's text → its capabilities, parsed once. */
  private readonly parsedDeclarations = new Map<string, Capability[]>();

  constructor(private readonly scope: ClientScope) {}

  async capabilitiesFor(platform: string): Promise<Capability[]> {
    return (await this.capabilityIndex()).get(platform) ?? [];
  }

  async knownPlatforms(): Promise<string[]> {
    return [...(await this.capabilityIndex()).keys()];
  }

  /**
   * Platform → declared capabilities, in the order of the workers' ids. Read per job created, so
   * each distinct declaration comes once (a fleet's workers mostly declare the same) and is parsed
   * once (a declaration's text maps to the same capabilities).
   */
  private capabilityIndex(): Promise<Map<string, Capability[]>> {
    return this.scope.memo(CAPABILITIES, () => this.readCapabilityIndex());
  }

  private async readCapabilityIndex(): Promise<Map<string, Capability[]>> {
    const index = new Map<string, Capability[]>();
    const rows = await this.scope.rows<Pick<WorkerRow, 'capabilities'>>('SELECT capabilities FROM workers GROUP BY capabilities ORDER BY MIN(id COLLATE "C")');
    for (const { capabilities } of rows) for (const c of this.parsed(capabilities)) index.set(c.platform, [...(index.get(c.platform) ?? []), c]);
    return index;
  }

  private parsed(declaration: string): Capability[] {
    let capabilities = this.parsedDeclarations.get(declaration);
    if (!capabilities) {
      capabilities = JSON.parse(declaration) as Capability[];
      if (this.parsedDeclarations.size >= 100) this.parsedDeclarations.clear();
      this.parsedDeclarations.set(declaration, capabilities);
    }
    return capabilities;
  }

  /** Registers or re-registers a worker; it comes back online (or draining) with a fresh heartbeat. */
  async upsert(reg: WorkerRegistration): Promise<WorkerRow> {
    this.scope.forget(CAPABILITIES);
    const row = await this.scope.row<WorkerRow>(
      `INSERT INTO workers (id, host, version, capabilities, max_accounts, max_concurrency, max_live_contexts, browser_version, status, last_heartbeat_at, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)
       ON CONFLICT (id) DO UPDATE SET host = excluded.host, version = excluded.version, capabilities = excluded.capabilities,
         max_accounts = excluded.max_accounts, max_concurrency = excluded.max_concurrency, max_live_contexts = excluded.max_live_contexts,
         browser_version = excluded.browser_version,
         status = excluded.status, last_heartbeat_at = excluded.last_heartbeat_at, disconnected_at = NULL
       RETURNING *`,
      [
        reg.id,
        reg.host,
        reg.version,
        JSON.stringify(reg.capabilities),
        reg.maxAccounts,
        reg.maxConcurrency,
        reg.maxLiveContexts,
        reg.browserVersion ?? null,
        reg.draining ? 'draining' : 'online',
        Date.now(),
      ],
    );
    return row!;
  }

  row(id: string): Promise<WorkerRow | undefined> {
    return this.scope.row<WorkerRow>('SELECT * FROM workers WHERE id = $1', [id]);
  }

  async require(id: string): Promise<WorkerRow> {
    const row = await this.row(id);
    if (!row) throw new FleetError('WORKER_NOT_FOUND', `no worker ${id}`, { field: 'id' });
    return row;
  }

  capacity(id: string): Promise<WorkerCapacity | undefined> {
    return this.scope.row<WorkerCapacity>('SELECT id, status, max_concurrency FROM workers WHERE id = $1', [id]);
  }

  all(): Promise<WorkerRow[]> {
    return this.scope.rows<WorkerRow>('SELECT * FROM workers ORDER BY id COLLATE "C"');
  }

  heartbeat(id: string, stats: WorkerStats): Promise<WorkerRow | undefined> {
    return this.scope.row<WorkerRow>('UPDATE workers SET last_heartbeat_at = $1, stats = $2 WHERE id = $3 RETURNING *', [
      Date.now(),
      JSON.stringify(stats),
      id,
    ]);
  }

  async heartbeatMany(beats: readonly { id: string; stats: WorkerStats; at: number }[]): Promise<{ row: WorkerRow; owned: OwnedAccount[] }[]> {
    if (beats.length === 0) return [];
    // The owned accounts with the write: a heartbeat's browser list needs them, and read one worker
    // at a time they were a statement per heartbeat (100 a second at bench:scale's size).
    const rows = await this.scope.rows<WorkerRow & { owned_accounts: OwnedAccount[] }>(
      `WITH beat AS (
         UPDATE workers w SET last_heartbeat_at = b.at, stats = b.stats
           FROM unnest($1::text[], $2::bigint[], $3::text[]) AS b(id, at, stats)
          WHERE w.id = b.id
         RETURNING w.*
       )
       SELECT beat.*, COALESCE(
         (SELECT json_agg(json_build_object('id', a.id, 'epoch', a.epoch) ORDER BY a.seq) FROM accounts a WHERE a.owner_worker_id = beat.id), '[]'
       ) AS owned_accounts
         FROM beat`,
      [beats.map((b) => b.id), beats.map((b) => b.at), beats.map((b) => JSON.stringify(b.stats))],
    );
    return rows.map(({ owned_accounts: owned, ...row }) => ({ row, owned }));
  }

  async setStatus(id: string, status: WorkerStatus): Promise<void> {
    await this.scope.changes('UPDATE workers SET status = $1, disconnected_at = $2 WHERE id = $3', [status, status === 'offline' ? Date.now() : null, id]);
  }

  async markAllOffline(): Promise<void> {
    await this.scope.changes("UPDATE workers SET status = 'offline', disconnected_at = $1 WHERE status != 'offline'", [Date.now()]);
  }

  async countByStatus(): Promise<Record<WorkerStatus, number>> {
    const out: Record<WorkerStatus, number> = { online: 0, draining: 0, offline: 0 };
    for (const r of await this.scope.rows<{ status: WorkerStatus; n: number }>('SELECT status, COUNT(*) AS n FROM workers GROUP BY status'))
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
