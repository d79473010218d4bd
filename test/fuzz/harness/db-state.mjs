// Reads the master's SQLite file (read-only, beside the running master) to tell whether a refused
// request changed any row. Only what a request writes is compared: the columns the scheduler moves
// on its own (dispatch, leases, liveness, monitors' next run) are left out, or a tick that fell
// between the two reads would be blamed on the request.
import Database from 'better-sqlite3';

/** Per table: columns left out, and rows left out (SQL condition). A table not named is compared whole. */
const BACKGROUND = {
  // The record of a refused report is what a refusal is meant to write.
  refused_reports: { skip: true },
  refused_report_totals: { skip: true },
  sqlite_sequence: { skip: true },
  schema_migrations: { skip: true },
  workers: { columns: ['status', 'last_heartbeat_at', 'disconnected_at', 'stats'] },
  // Assignment and failover move owners and epochs on the scheduler's tick; a job that the tick
  // fails (its lease ran out) writes its step's status; the first dispatch writes a device profile.
  accounts: {
    columns: [
      'owner_worker_id',
      'epoch',
      'updated_at',
      'device_profile',
      'login_status',
      'login_updated_at',
      'invite_status',
      'invite_updated_at',
      'team_join_status',
      'team_join_updated_at',
    ],
  },
  // Dispatch, lease expiry and retries move these (a pool job gets its account and platform at
  // dispatch); monitors add their jobs on their own clock.
  jobs: {
    columns: [
      'platform',
      'account_id',
      'status',
      'attempt',
      'worker_id',
      'epoch',
      'lease_expires_at',
      'dispatched_at',
      'started_at',
      'finished_at',
      'run_after',
      'progress_percent',
      'progress_step',
      'progress_message',
      'error_code',
      'error_message',
    ],
    rows: 'monitor_id IS NULL',
  },
  job_events: { rows: "kind <> 'status' AND job_id IN (SELECT id FROM jobs WHERE monitor_id IS NULL)" },
  monitors: { columns: ['next_run_at', 'runs', 'last_job_id'] },
};

export class DbState {
  constructor(file) {
    this.file = file;
    this.db = undefined;
    this.cached = undefined;
  }

  open() {
    this.db?.close();
    this.db = new Database(this.file, { readonly: true, fileMustExist: true });
    this.cached = undefined;
  }

  close() {
    this.db?.close();
    this.db = undefined;
  }

  /** Changes whenever another connection (the master) commits. */
  version() {
    return this.db.pragma('data_version', { simple: true });
  }

  /** The rows requests write, per table, by rowid; read again only when the master has committed since. */
  snapshot() {
    const version = this.version();
    if (this.cached && this.cached.version === version) return this.cached;
    const tables = this.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").pluck().all();
    const rows = {};
    for (const table of tables) {
      const rule = BACKGROUND[table] ?? {};
      if (rule.skip) continue;
      const columns = this.db
        .prepare('SELECT name FROM pragma_table_info(?)')
        .pluck()
        .all(table)
        .filter((c) => !(rule.columns ?? []).includes(c));
      const sql = `SELECT rowid AS _rowid, ${columns.map((c) => `"${c}"`).join(', ')} FROM "${table}"${rule.rows ? ` WHERE ${rule.rows}` : ''}`;
      const byRowid = new Map();
      for (const row of this.db.prepare(sql).iterate()) {
        const { _rowid, ...rest } = row;
        byRowid.set(
          _rowid,
          JSON.stringify(rest, (_k, v) => (typeof v === 'bigint' ? String(v) : Buffer.isBuffer(v) ? v.toString('hex') : v)),
        );
      }
      rows[table] = byRowid;
    }
    this.cached = { version, rows };
    return this.cached;
  }

  /** Rows added, removed or changed between two snapshots (the first `limit`, long values cut). */
  static changes(before, after, limit = 5) {
    if (before === after) return [];
    const out = [];
    for (const table of new Set([...Object.keys(before.rows), ...Object.keys(after.rows)])) {
      const a = before.rows[table] ?? new Map();
      const b = after.rows[table] ?? new Map();
      for (const rowid of new Set([...a.keys(), ...b.keys()])) {
        if (a.get(rowid) === b.get(rowid)) continue;
        if (out.length >= limit) return out;
        const was = a.has(rowid) ? JSON.parse(a.get(rowid)) : undefined;
        const now = b.has(rowid) ? JSON.parse(b.get(rowid)) : undefined;
        if (!was || !now) out.push({ table, rowid, before: cut(a.get(rowid)), after: cut(b.get(rowid)) });
        else {
          const columns = Object.keys(now).filter((c) => JSON.stringify(was[c]) !== JSON.stringify(now[c]));
          out.push({
            table,
            rowid,
            columns: Object.fromEntries(columns.map((c) => [c, { before: cut(JSON.stringify(was[c])), after: cut(JSON.stringify(now[c])) }])),
          });
        }
      }
    }
    return out;
  }
}

function cut(text) {
  return text !== undefined && text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
