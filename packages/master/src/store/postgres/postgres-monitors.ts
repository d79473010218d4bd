import { randomUUID } from 'node:crypto';
import { FleetError, type MonitorView, type Page } from '@fleetwright/shared';
import type { MonitorsBackend } from '../backend/monitors-backend.js';
import type { MonitorRow } from '../backend/records.js';
import type { ClientScope } from './client-scope.js';
import { monitorView } from '../backend/record-views.js';

/** MonitorsBackend on PostgreSQL. */
export class PostgresMonitors implements MonitorsBackend {
  constructor(private readonly scope: ClientScope) {}

  async create(input: {
    accountId: string;
    type: string;
    payload: Record<string, unknown>;
    minIntervalMs: number;
    maxIntervalMs: number;
  }): Promise<MonitorRow> {
    const now = Date.now();
    const row = await this.scope.row<MonitorRow>(
      `INSERT INTO monitors (id, account_id, type, payload, min_interval_ms, max_interval_ms, next_run_at, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING *`,
      [randomUUID(), input.accountId, input.type, JSON.stringify(input.payload), input.minIntervalMs, input.maxIntervalMs, now],
    );
    return row!;
  }

  row(id: string): Promise<MonitorRow | undefined> {
    return this.scope.row<MonitorRow>('SELECT * FROM monitors WHERE id = $1', [id]);
  }

  async require(id: string): Promise<MonitorRow> {
    const row = await this.row(id);
    if (!row) throw new FleetError('NOT_FOUND', `no monitor ${id}`, { field: 'id' });
    return row;
  }

  /**
   * Monitors due now whose previous run has finished: a monitor never overlaps itself. Inside a
   * transaction the due monitors are locked (others' skipped), so two deciders never start one twice.
   */
  due(now: number): Promise<MonitorRow[]> {
    return this.scope.rows<MonitorRow>(
      `SELECT m.* FROM monitors m LEFT JOIN jobs j ON j.id = m.last_job_id
        WHERE m.paused = 0 AND m.next_run_at <= $1 AND (m.last_job_id IS NULL OR j.status IS NULL OR j.status IN ('succeeded','failed','cancelled'))
        ORDER BY m.next_run_at, m.seq ${this.scope.inTransaction() ? 'FOR UPDATE OF m SKIP LOCKED' : ''}`,
      [now],
    );
  }

  async started(id: string, jobId: string): Promise<void> {
    await this.scope.changes('UPDATE monitors SET last_job_id = $1, runs = runs + 1 WHERE id = $2', [jobId, id]);
  }

  async scheduleNext(id: string, at: number): Promise<void> {
    await this.scope.changes('UPDATE monitors SET next_run_at = $1 WHERE id = $2', [at, id]);
  }

  async setPaused(id: string, paused: boolean): Promise<MonitorRow> {
    const row = await this.scope.row<MonitorRow>('UPDATE monitors SET paused = $1 WHERE id = $2 RETURNING *', [paused ? 1 : 0, id]);
    if (!row) throw new FleetError('NOT_FOUND', `no monitor ${id}`, { field: 'id' });
    return row;
  }

  /** An account's monitors go with it. */
  async deleteOfAccount(accountId: string): Promise<void> {
    await this.scope.changes('DELETE FROM monitors WHERE account_id = $1', [accountId]);
  }

  async delete(id: string): Promise<void> {
    if ((await this.scope.changes('DELETE FROM monitors WHERE id = $1', [id])) === 0) throw new FleetError('NOT_FOUND', `no monitor ${id}`, { field: 'id' });
  }

  async list(accountId: string | undefined, limit: number, cursor?: string): Promise<Page<MonitorView>> {
    const after = cursor && Number.isFinite(Number(cursor)) ? Number(cursor) : 0;
    const rows = accountId
      ? await this.scope.rows<MonitorRow>('SELECT * FROM monitors WHERE seq > $1 AND account_id = $2 ORDER BY seq LIMIT $3', [after, accountId, limit + 1])
      : await this.scope.rows<MonitorRow>('SELECT * FROM monitors WHERE seq > $1 ORDER BY seq LIMIT $2', [after, limit + 1]);
    const page = rows.slice(0, limit);
    return { items: page.map(monitorView), nextCursor: rows.length > limit ? String(page.at(-1)!.seq) : null };
  }

  view(row: MonitorRow): MonitorView {
    return monitorView(row);
  }
}
