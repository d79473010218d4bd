import { limitId, type PutLimitBody, type RateLimitScope } from '@fleetwright/shared';
import type { JobRunRecord, LimitRecord, PauseRecord } from '../backend/limits-backend.js';
import type { LimitRow } from '../backend/records.js';
import { limitRecord } from '../backend/record-views.js';
import type { Db } from './database.js';

interface PauseRow {
  scope: RateLimitScope;
  target: string;
  until: number;
  reason: string | null;
}

const START_COLUMNS = 'id AS jobId, account_id AS accountId, platform, type, dispatched_at AS at';

/** Finished jobs that ran (by finished_at, index-bound), and jobs queued again after a run (at their last dispatch). */
const ENDED_SINCE = `
  SELECT id AS jobId, account_id AS accountId, platform, type, finished_at AS at FROM jobs
   WHERE finished_at >= ? AND dispatched_at IS NOT NULL AND account_id IS NOT NULL AND platform IS NOT NULL
  UNION ALL
  SELECT id, account_id, platform, type, dispatched_at FROM jobs
   WHERE status = 'queued' AND dispatched_at >= ? AND account_id IS NOT NULL AND platform IS NOT NULL
  ORDER BY at`;

/** The rate_limits and rate_limit_pauses tables (see LimitsBackend). */
export class LimitStore {
  constructor(private readonly db: Db) {}

  list(): LimitRecord[] {
    return (this.db.prepare('SELECT * FROM rate_limits ORDER BY id').all() as LimitRow[]).map(limitRecord);
  }

  put(body: PutLimitBody): LimitRecord {
    const now = Date.now();
    const row = this.db
      .prepare(
        `INSERT INTO rate_limits (id, scope, target, job_type, rule, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET rule = excluded.rule, updated_at = excluded.updated_at RETURNING *`,
      )
      .get(limitId(body.scope, body.target, body.jobType), body.scope, body.target, body.jobType, JSON.stringify(body.rule), now, now) as LimitRow;
    return limitRecord(row);
  }

  delete(id: string): boolean {
    return this.db.prepare('DELETE FROM rate_limits WHERE id = ?').run(id).changes > 0;
  }

  pauses(now: number): PauseRecord[] {
    return this.db.prepare('SELECT scope, target, until, reason FROM rate_limit_pauses WHERE until > ? ORDER BY scope, target').all(now) as PauseRow[];
  }

  pause(scope: RateLimitScope, target: string, until: number, reason: string | null): PauseRecord {
    return this.db
      .prepare(
        `INSERT INTO rate_limit_pauses (scope, target, until, reason) VALUES (?, ?, ?, ?)
         ON CONFLICT (scope, target) DO UPDATE SET until = MAX(until, excluded.until),
           reason = CASE WHEN excluded.until >= until THEN excluded.reason ELSE reason END
         RETURNING scope, target, until, reason`,
      )
      .get(scope, target, until, reason) as PauseRow;
  }

  endedSince(since: number): JobRunRecord[] {
    return this.db.prepare(ENDED_SINCE).all(since, since) as JobRunRecord[];
  }

  active(): JobRunRecord[] {
    return this.db
      .prepare(`SELECT ${START_COLUMNS} FROM jobs WHERE status IN ('dispatched', 'running') AND account_id IS NOT NULL AND platform IS NOT NULL`)
      .all() as JobRunRecord[];
  }
}
