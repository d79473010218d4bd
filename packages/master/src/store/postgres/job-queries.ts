import { FleetError, type JobStatus } from '@fleetwright/shared';
import { RUNNABLE_COLUMNS, RUNNABLE_JOINS } from '../backend/runnable-columns.js';
import type { AccountOwnership, JobRow, RunnableJob } from '../backend/records.js';
import { JOB_WITH_ACCOUNT_COLUMNS, jobWithAccount, type JobWithAccountRow } from '../backend/job-with-account.js';
import type { ClientScope } from './client-scope.js';

/** A runnable job's columns with its account's ownership (`j` the job, `a` its account). */
const DISPATCH_ORDER = 'ORDER BY j.priority DESC, j.run_after, j.seq';

/**
 * The jobs table's reads (PostgresJobs adds the writes and views). The reads that choose queued
 * jobs to dispatch lock what they return when they run inside a transaction, skipping rows
 * another transaction holds (`FOR UPDATE SKIP LOCKED`): two deciders never pick the same job.
 * Outside a transaction a lock would end with the statement, so they take none.
 */
export class JobQueries {
  constructor(protected readonly scope: ClientScope) {}

  row(id: string): Promise<JobRow | undefined> {
    return this.scope.row<JobRow>('SELECT * FROM jobs WHERE id = $1', [id]);
  }

  async require(id: string, field = 'jobId'): Promise<JobRow> {
    const row = await this.row(id);
    if (!row) throw new FleetError('JOB_NOT_FOUND', `no job ${id}`, { field });
    return row;
  }

  async requireWithAccount(jobId: string, accountId: string): Promise<{ job: JobRow; account: AccountOwnership | undefined }> {
    const row = await this.scope.row<JobWithAccountRow>(`SELECT ${JOB_WITH_ACCOUNT_COLUMNS} FROM jobs j LEFT JOIN accounts a ON a.id = $2 WHERE j.id = $1`, [
      jobId,
      accountId,
    ]);
    return jobWithAccount(row, jobId);
  }

  runnable(now: number, limit: number): Promise<RunnableJob[]> {
    return this.scope.rows<RunnableJob>(
      `SELECT ${RUNNABLE_COLUMNS}
         FROM jobs j ${RUNNABLE_JOINS}
        WHERE j.status = 'queued' AND j.run_after <= $1
          AND (j.account_id IS NULL OR NOT EXISTS (SELECT 1 FROM jobs k WHERE k.account_id = j.account_id AND k.status IN ('dispatched','running')))
        ${DISPATCH_ORDER} LIMIT $2 ${this.lockForDecision('j')}`,
      [now, limit],
    );
  }

  nextQueuedOf(accountId: string, now: number): Promise<RunnableJob | undefined> {
    return this.scope.row<RunnableJob>(
      `SELECT ${RUNNABLE_COLUMNS}
         FROM jobs j ${RUNNABLE_JOINS}
        WHERE j.account_id = $1 AND j.status = 'queued' AND j.run_after <= $2
        ${DISPATCH_ORDER} LIMIT 1 ${this.lockForDecision('j')}`,
      [accountId, now],
    );
  }

  async firstQueuedDueAt(accountId: string): Promise<number | undefined> {
    const row = await this.scope.row<{ at: number | null }>("SELECT MIN(run_after) AS at FROM jobs WHERE account_id = $1 AND status = 'queued'", [accountId]);
    return row?.at ?? undefined;
  }

  async nextQueuedOfEach(accountIds: readonly string[], now: number): Promise<{ next: RunnableJob[]; dueAt: Map<string, number> }> {
    if (accountIds.length === 0) return { next: [], dueAt: new Map() };
    const rows = await this.scope.rows<ProbeRow>(`${this.probes()} ORDER BY q.ord`, [accountIds, now]);
    return probed(rows);
  }

  async inFlightAndNextOf(
    accountIds: readonly string[],
    now: number,
  ): Promise<{ inFlight: { accounts: Set<string>; perWorker: Map<string, number> }; next: RunnableJob[]; dueAt: Map<string, number> }> {
    type Row = ProbeRow & { row_kind: 'probe' | 'busy'; busy_worker: string | null; ord: number | null };
    const nulls = RUNNABLE_COLUMNS.split(',')
      .map(() => 'NULL')
      .join(', ');
    const rows = await this.scope.rows<Row>(
      `WITH busy AS MATERIALIZED (SELECT account_id, worker_id FROM jobs WHERE status IN ('dispatched','running'))
       SELECT 'probe' AS row_kind, p.*, NULL AS busy_worker
         FROM (${this.probes('q.ord')} WHERE NOT EXISTS (SELECT 1 FROM busy b WHERE b.account_id = q.account_id)) p
       UNION ALL
       SELECT 'busy', b.account_id, ${nulls}, NULL, NULL, b.worker_id FROM busy b`,
      [accountIds, now],
    );
    const accounts = new Set<string>();
    const perWorker = new Map<string, number>();
    const probes: Row[] = [];
    for (const row of rows) {
      if (row.row_kind === 'probe') {
        probes.push(row);
        continue;
      }
      if (row.probed_account !== null) accounts.add(row.probed_account);
      if (row.busy_worker !== null) perWorker.set(row.busy_worker, (perWorker.get(row.busy_worker) ?? 0) + 1);
    }
    const stripped = probes.sort((a, b) => a.ord! - b.ord!).map(({ row_kind: _kind, busy_worker: _worker, ord: _ord, ...row }) => row);
    return { inFlight: { accounts, perWorker }, ...probed(stripped) };
  }

  /**
   * Each account's own probe of `$1` (the same plan as nextQueuedOf's), and for one with nothing due
   * its first due time (firstQueuedDueAt's): one row per account. `ord`: also select the account's
   * place in `$1` (as `ord`, last).
   */
  private probes(ord?: 'q.ord'): string {
    return `SELECT q.account_id AS probed_account, n.*, d.at AS first_due_at${ord ? ', q.ord AS ord' : ''}
         FROM unnest($1::text[]) WITH ORDINALITY AS q(account_id, ord)
         LEFT JOIN LATERAL (
           SELECT ${RUNNABLE_COLUMNS}
             FROM jobs j ${RUNNABLE_JOINS}
            WHERE j.account_id = q.account_id AND j.status = 'queued' AND j.run_after <= $2
            ${DISPATCH_ORDER} LIMIT 1 ${this.lockForDecision('j')}
         ) n ON true
         LEFT JOIN LATERAL (
           SELECT MIN(run_after) AS at FROM jobs WHERE account_id = q.account_id AND status = 'queued'
         ) d ON n.id IS NULL`;
  }

  async accountsWithQueuedJobs(): Promise<string[]> {
    const rows = await this.scope.rows<{ account_id: string }>("SELECT DISTINCT account_id FROM jobs WHERE status = 'queued' AND account_id IS NOT NULL");
    return rows.map((r) => r.account_id);
  }

  queuedPoolJobs(now: number, limit: number): Promise<RunnableJob[]> {
    return this.scope.rows<RunnableJob>(
      `SELECT ${RUNNABLE_COLUMNS}
         FROM jobs j ${RUNNABLE_JOINS}
        WHERE j.account_id IS NULL AND j.status = 'queued' AND j.run_after <= $1
        ${DISPATCH_ORDER} LIMIT $2 ${this.lockForDecision('j')}`,
      [now, limit],
    );
  }

  leaseExpiredBefore(cutoff: number): Promise<JobRow[]> {
    return this.scope.rows<JobRow>(
      `SELECT * FROM jobs WHERE status IN ('dispatched','running') AND lease_expires_at IS NOT NULL AND lease_expires_at < $1 ORDER BY seq ${this.lockForDecision('jobs')}`,
      [cutoff],
    );
  }

  queuedOf(accountId: string): Promise<JobRow[]> {
    return this.scope.rows<JobRow>("SELECT * FROM jobs WHERE account_id = $1 AND status = 'queued' ORDER BY priority DESC, run_after, seq", [accountId]);
  }

  activeForWorker(workerId: string): Promise<JobRow[]> {
    return this.scope.rows<JobRow>("SELECT * FROM jobs WHERE worker_id = $1 AND status IN ('dispatched','running') ORDER BY seq", [workerId]);
  }

  async activeAccountIds(): Promise<Set<string>> {
    const rows = await this.scope.rows<{ account_id: string }>(
      "SELECT DISTINCT account_id FROM jobs WHERE status IN ('dispatched','running') AND account_id IS NOT NULL",
    );
    return new Set(rows.map((r) => r.account_id));
  }

  async countActiveByWorker(): Promise<Map<string, number>> {
    const rows = await this.scope.rows<{ worker_id: string; n: number }>(
      "SELECT worker_id, COUNT(*) AS n FROM jobs WHERE status IN ('dispatched','running') AND worker_id IS NOT NULL GROUP BY worker_id",
    );
    return new Map(rows.map((r) => [r.worker_id, r.n]));
  }

  async inFlight(): Promise<{ accounts: Set<string>; perWorker: Map<string, number> }> {
    const rows = await this.scope.rows<{ account_id: string | null; worker_id: string | null }>(
      "SELECT account_id, worker_id FROM jobs WHERE status IN ('dispatched','running')",
    );
    const accounts = new Set<string>();
    const perWorker = new Map<string, number>();
    for (const { account_id: accountId, worker_id: workerId } of rows) {
      if (accountId !== null) accounts.add(accountId);
      if (workerId !== null) perWorker.set(workerId, (perWorker.get(workerId) ?? 0) + 1);
    }
    return { accounts, perWorker };
  }

  countByTypeAndStatus(unfinishedOnly: boolean): Promise<{ type: string; status: JobStatus; n: number }[]> {
    return this.scope.rows(
      unfinishedOnly
        ? "SELECT type, status, COUNT(*) AS n FROM jobs WHERE status IN ('queued','dispatched','running') GROUP BY type, status"
        : 'SELECT type, status, COUNT(*) AS n FROM jobs GROUP BY type, status',
    );
  }

  async countUnfinished(): Promise<Pick<Record<JobStatus, number>, 'queued' | 'dispatched' | 'running'>> {
    const out = { queued: 0, dispatched: 0, running: 0 };
    const rows = await this.scope.rows<{ status: 'queued' | 'dispatched' | 'running'; n: number }>(
      "SELECT status, COUNT(*) AS n FROM jobs WHERE status IN ('queued','dispatched','running') GROUP BY status",
    );
    for (const r of rows) out[r.status] = r.n;
    return out;
  }

  async countByStatus(): Promise<Record<JobStatus, number>> {
    const out: Record<JobStatus, number> = { queued: 0, dispatched: 0, running: 0, succeeded: 0, failed: 0, cancelled: 0 };
    for (const r of await this.scope.rows<{ status: JobStatus; n: number }>('SELECT status, COUNT(*) AS n FROM jobs GROUP BY status')) out[r.status] = r.n;
    return out;
  }

  async oldestRunnableSince(now: number): Promise<number | undefined> {
    const row = await this.scope.row<{ since: number | null }>(
      "SELECT MIN(GREATEST(created_at, run_after)) AS since FROM jobs WHERE status = 'queued' AND run_after <= $1",
      [now],
    );
    return row?.since ?? undefined;
  }

  finishedPerMinute(since: number): Promise<{ minute: number; status: JobStatus; n: number }[]> {
    return this.scope.rows(
      `SELECT finished_at / 60000 AS minute, status, COUNT(*) AS n FROM jobs
        WHERE finished_at >= $1 AND status IN ('succeeded', 'failed', 'cancelled')
        GROUP BY minute, status`,
      [since],
    );
  }

  finishedSince(since: number, limit: number, after?: Pick<JobRow, 'finished_at' | 'seq'>): Promise<JobRow[]> {
    return this.scope.rows<JobRow>(`SELECT * FROM jobs WHERE finished_at >= $1 AND (finished_at, seq) > ($3, $4) ORDER BY finished_at, seq LIMIT $2`, [
      since,
      limit,
      after?.finished_at ?? since,
      after?.seq ?? -1,
    ]);
  }

  children(parentId: string): Promise<JobRow[]> {
    return this.scope.rows<JobRow>('SELECT * FROM jobs WHERE parent_id = $1 ORDER BY seq', [parentId]);
  }

  firstChild(parentId: string, status: JobStatus, type?: string): Promise<JobRow | undefined> {
    return type === undefined
      ? this.scope.row<JobRow>('SELECT * FROM jobs WHERE parent_id = $1 AND status = $2 ORDER BY seq LIMIT 1', [parentId, status])
      : this.scope.row<JobRow>('SELECT * FROM jobs WHERE parent_id = $1 AND status = $2 AND type = $3 ORDER BY seq LIMIT 1', [parentId, status, type]);
  }

  firstChildOfType(parentId: string, type: string): Promise<JobRow | undefined> {
    return this.scope.row<JobRow>('SELECT * FROM jobs WHERE parent_id = $1 AND type = $2 ORDER BY seq LIMIT 1', [parentId, type]);
  }

  /** Inside a transaction, the rows a decision reads are locked, and rows locked by another decider skipped. */
  private lockForDecision(table: string): string {
    return this.scope.inTransaction() ? `FOR UPDATE OF ${table} SKIP LOCKED` : '';
  }
}

/** A row of JobQueries' probes: the account probed, its next due job (all null if none), and when its first is due. */
type ProbeRow = Omit<RunnableJob, 'id'> & { id: string | null; probed_account: string | null; first_due_at: number | null };

/** The probes' answer: the next due jobs, in the order probed; and when the first job is due of each account with none due. */
function probed(rows: ProbeRow[]): { next: RunnableJob[]; dueAt: Map<string, number> } {
  const next: RunnableJob[] = [];
  const dueAt = new Map<string, number>();
  for (const { probed_account: accountId, first_due_at: at, ...job } of rows) {
    if (job.id !== null) next.push(job as RunnableJob);
    else if (at !== null && accountId !== null) dueAt.set(accountId, at);
  }
  return { next, dueAt };
}
