import { randomUUID } from 'node:crypto';
import { FleetError, type MonitorView, type Page } from '@fleetwright/shared';
import type { Db } from './database.js';
import { monitorView } from '../backend/record-views.js';
import type { MonitorRow } from '../backend/records.js';

export class MonitorStore {
  constructor(private readonly db: Db) {}

  create(input: { accountId: string; type: string; payload: Record<string, unknown>; minIntervalMs: number; maxIntervalMs: number }): MonitorRow {
    const id = randomUUID();
    const now = Date.now();
    this.db
      .prepare(
        `INSERT INTO monitors (id, account_id, type, payload, min_interval_ms, max_interval_ms, next_run_at, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(id, input.accountId, input.type, JSON.stringify(input.payload), input.minIntervalMs, input.maxIntervalMs, now, now);
    return this.require(id);
  }

  row(id: string): MonitorRow | undefined {
    return this.db.prepare('SELECT * FROM monitors WHERE id = ?').get(id) as MonitorRow | undefined;
  }

  require(id: string): MonitorRow {
    const row = this.row(id);
    if (!row) throw new FleetError('NOT_FOUND', `no monitor ${id}`, { field: 'id' });
    return row;
  }

  /** Monitors due now whose previous run has finished: a monitor never overlaps itself. */
  due(now: number): MonitorRow[] {
    return this.db
      .prepare(
        `SELECT m.* FROM monitors m LEFT JOIN jobs j ON j.id = m.last_job_id
         WHERE m.paused = 0 AND m.next_run_at <= ? AND (m.last_job_id IS NULL OR j.status IS NULL OR j.status IN ('succeeded','failed','cancelled'))
         ORDER BY m.next_run_at`,
      )
      .all(now) as MonitorRow[];
  }

  started(id: string, jobId: string): void {
    this.db.prepare('UPDATE monitors SET last_job_id = ?, runs = runs + 1 WHERE id = ?').run(jobId, id);
  }

  scheduleNext(id: string, at: number): void {
    this.db.prepare('UPDATE monitors SET next_run_at = ? WHERE id = ?').run(at, id);
  }

  setPaused(id: string, paused: boolean): MonitorRow {
    this.require(id);
    this.db.prepare('UPDATE monitors SET paused = ? WHERE id = ?').run(paused ? 1 : 0, id);
    return this.require(id);
  }

  /** An account's monitors go with it. */
  deleteOfAccount(accountId: string): void {
    this.db.prepare('DELETE FROM monitors WHERE account_id = ?').run(accountId);
  }

  delete(id: string): void {
    this.require(id);
    this.db.prepare('DELETE FROM monitors WHERE id = ?').run(id);
  }

  list(accountId: string | undefined, limit: number, cursor?: string): Page<MonitorView> {
    const after = cursor && Number.isFinite(Number(cursor)) ? Number(cursor) : 0;
    const rows = (
      accountId
        ? this.db.prepare('SELECT * FROM monitors WHERE seq > ? AND account_id = ? ORDER BY seq LIMIT ?').all(after, accountId, limit + 1)
        : this.db.prepare('SELECT * FROM monitors WHERE seq > ? ORDER BY seq LIMIT ?').all(after, limit + 1)
    ) as MonitorRow[];
    const page = rows.slice(0, limit);
    return { items: page.map((r) => this.view(r)), nextCursor: rows.length > limit ? String(page.at(-1)!.seq) : null };
  }

  view(row: MonitorRow): MonitorView {
    return monitorView(row);
  }
}
