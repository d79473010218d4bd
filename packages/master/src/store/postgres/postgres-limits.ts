import { limitId, type PutLimitBody, type RateLimitScope } from '@fleetwright/shared';
import type { JobRunRecord, LimitRecord, LimitsBackend, PauseRecord } from '../backend/limits-backend.js';
import type { LimitRow } from '../backend/records.js';
import { limitRecord } from '../backend/record-views.js';
import type { ClientScope } from './client-scope.js';

const START_COLUMNS = 'id AS "jobId", account_id AS "accountId", platform, type, dispatched_at AS at';

/** Finished jobs that ran (by finished_at, index-bound), and jobs queued again after a run (at their last dispatch). */
const ENDED_SINCE = `
  SELECT id AS "jobId", account_id AS "accountId", platform, type, finished_at AS at FROM jobs
   WHERE finished_at >= $1 AND dispatched_at IS NOT NULL AND account_id IS NOT NULL AND platform IS NOT NULL
  UNION ALL
  SELECT id, account_id, platform, type, dispatched_at FROM jobs
   WHERE status = 'queued' AND dispatched_at >= $1 AND account_id IS NOT NULL AND platform IS NOT NULL
  ORDER BY at`;

/** Limits and pauses on PostgreSQL (see LimitsBackend). */
export class PostgresLimits implements LimitsBackend {
  constructor(private readonly scope: ClientScope) {}

  async list(): Promise<LimitRecord[]> {
    return (await this.scope.rows<LimitRow>('SELECT * FROM rate_limits ORDER BY id')).map(limitRecord);
  }

  async put(body: PutLimitBody): Promise<LimitRecord> {
    const now = Date.now();
    const row = await this.scope.row<LimitRow>(
      `INSERT INTO rate_limits (id, scope, target, job_type, rule, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6)
       ON CONFLICT (id) DO UPDATE SET rule = EXCLUDED.rule, updated_at = EXCLUDED.updated_at RETURNING *`,
      [limitId(body.scope, body.target, body.jobType), body.scope, body.target, body.jobType, JSON.stringify(body.rule), now],
    );
    return limitRecord(row!);
  }

  async delete(id: string): Promise<boolean> {
    return (await this.scope.changes('DELETE FROM rate_limits WHERE id = $1', [id])) > 0;
  }

  async pauses(now: number): Promise<PauseRecord[]> {
    return this.scope.rows<PauseRecord & Record<string, unknown>>(
      'SELECT scope, target, until, reason FROM rate_limit_pauses WHERE until > $1 ORDER BY scope, target',
      [now],
    );
  }

  async pause(scope: RateLimitScope, target: string, until: number, reason: string | null): Promise<PauseRecord> {
    const row = await this.scope.row<PauseRecord & Record<string, unknown>>(
      `INSERT INTO rate_limit_pauses AS p (scope, target, until, reason) VALUES ($1, $2, $3, $4)
       ON CONFLICT (scope, target) DO UPDATE SET until = GREATEST(p.until, EXCLUDED.until),
         reason = CASE WHEN EXCLUDED.until >= p.until THEN EXCLUDED.reason ELSE p.reason END
       RETURNING scope, target, until, reason`,
      [scope, target, until, reason],
    );
    return row!;
  }

  async endedSince(since: number): Promise<JobRunRecord[]> {
    return this.scope.rows<JobRunRecord & Record<string, unknown>>(ENDED_SINCE, [since]);
  }

  async active(): Promise<JobRunRecord[]> {
    return this.scope.rows<JobRunRecord & Record<string, unknown>>(
      `SELECT ${START_COLUMNS} FROM jobs WHERE status IN ('dispatched', 'running') AND account_id IS NOT NULL AND platform IS NOT NULL`,
    );
  }
}
