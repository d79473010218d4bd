import { FleetError, type JobEventView, type JobStatus, type JobView, type Page } from '@fleetwright/shared';
import { atomically, type Db } from './database.js';
import { assertCanTransition } from '../backend/job-transitions.js';
import { timeOrderedId } from '../time-ordered-id.js';
import type { JobLinks } from '../backend/job-links.js';
import { jobEventPage, jobEventView, jobEventsAfter, jobViews, jobsWithExtras, type JobExtraRow } from '../backend/job-views.js';
import { JOB_WITH_ACCOUNT_COLUMNS, jobWithAccount, type JobWithAccountRow } from '../backend/job-with-account.js';
import { dispatchDetail, dispatchPatch } from '../backend/dispatch-move.js';
import { reportedRunIsCurrent, succeededPatch, type ReportedRun } from '../backend/reported-success.js';
import { RUNNABLE_COLUMNS, RUNNABLE_JOINS } from '../backend/runnable-columns.js';
import type { AccountOwnership, ChildTally, DispatchMove, JobEventRow, JobFilter, JobPatch, JobRow, NewJob, RunnableJob } from '../backend/records.js';

/** A runnable job's columns with its account's ownership (`j` the job, `a` its account). */
/** A store built without links (one that never shows an artifact) fails loudly if asked for one. */
const NO_JOB_LINKS: JobLinks = {
  artifactUrl: () => {
    throw new Error('this FleetStore was built without JobLinks, so it cannot link to an artifact');
  },
};

export class JobStore {
  constructor(
    private readonly db: Db,
    private readonly links: JobLinks = NO_JOB_LINKS,
  ) {}

  /**
   * Inserts a job, or returns the existing one when its idempotency key is known and the request
   * is the same; a different request under a known key is refused with CONFLICT.
   */
  createNew(jobs: readonly NewJob[]): (JobRow | undefined)[] {
    return atomically(this.db, () =>
      jobs.map((job) => {
        if (job.idempotencyKey && this.db.prepare('SELECT 1 FROM jobs WHERE idempotency_key = ?').get(job.idempotencyKey)) return undefined;
        if (job.accountId && !this.db.prepare('SELECT 1 FROM accounts WHERE id = ?').get(job.accountId)) return undefined;
        return this.create(job).row;
      }),
    );
  }

  create(job: NewJob): { row: JobRow; created: boolean } {
    return atomically(this.db, () => {
      if (job.idempotencyKey) {
        const existing = this.db.prepare('SELECT * FROM jobs WHERE idempotency_key = ?').get(job.idempotencyKey) as JobRow | undefined;
        if (existing) {
          // Jobs created before fingerprints were kept (null) match any re-post, as they always did.
          const fingerprint = job.idempotencyFingerprint ?? null;
          if (existing.idempotency_fingerprint !== null && fingerprint !== null && existing.idempotency_fingerprint !== fingerprint) {
            throw new FleetError('CONFLICT', `idempotencyKey: ${job.idempotencyKey} was already used for a different request (job ${existing.id})`, {
              field: 'idempotencyKey',
            });
          }
          return { row: existing, created: false };
        }
      }
      if (job.accountId && !this.db.prepare('SELECT 1 FROM accounts WHERE id = ?').get(job.accountId))
        throw new FleetError('ACCOUNT_NOT_FOUND', `no account ${job.accountId}`, { field: 'accountId' });
      const now = Date.now();
      const id = timeOrderedId(now);
      const status = job.status ?? 'queued';
      const row = this.db
        .prepare(
          `INSERT INTO jobs (id, type, platform, account_id, pool, payload, priority, run_after, status, max_attempts, timeout_ms, parent_id, idempotency_key, idempotency_fingerprint, monitor_id, options, created_at, started_at)
           VALUES (@id, @type, @platform, @accountId, @pool, @payload, @priority, @runAfter, @status, @maxAttempts, @timeoutMs, @parentId, @idempotencyKey, @idempotencyFingerprint, @monitorId, @options, @now, @startedAt)
           RETURNING *`,
        )
        .get({
          type: job.type,
          platform: job.platform,
          accountId: job.accountId,
          pool: job.pool,
          priority: job.priority,
          runAfter: job.runAfter,
          maxAttempts: job.maxAttempts,
          timeoutMs: job.timeoutMs,
          parentId: job.parentId,
          idempotencyKey: job.idempotencyKey,
          idempotencyFingerprint: job.idempotencyKey ? (job.idempotencyFingerprint ?? null) : null,
          id,
          status,
          payload: JSON.stringify(job.payload),
          monitorId: job.monitorId ?? null,
          options: JSON.stringify(job.options ?? {}),
          now,
          startedAt: status === 'running' ? now : null,
        }) as JobRow;
      this.addEvent(id, 'status', { status });
      return { row, created: true };
    });
  }

  row(id: string): JobRow | undefined {
    return this.db.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as JobRow | undefined;
  }

  require(id: string, field = 'jobId'): JobRow {
    const row = this.row(id);
    if (!row) throw new FleetError('JOB_NOT_FOUND', `no job ${id}`, { field });
    return row;
  }

  /** In-process, each move is a transition of its own, all in one transaction. */
  dispatchMany(moves: readonly DispatchMove[]): JobRow[] {
    return atomically(this.db, () =>
      moves.map((move) => this.transition({ id: move.id, status: 'queued' }, 'dispatched', dispatchPatch(move), dispatchDetail(move))),
    );
  }

  requireWithAccount(jobId: string, accountId: string): { job: JobRow; account: AccountOwnership | undefined } {
    const row = this.db.prepare(`SELECT ${JOB_WITH_ACCOUNT_COLUMNS} FROM jobs j LEFT JOIN accounts a ON a.id = ? WHERE j.id = ?`).get(accountId, jobId) as
      | JobWithAccountRow
      | undefined;
    return jobWithAccount(row, jobId);
  }

  requireWithAccountSucceeding(
    run: ReportedRun,
    now: number,
    result: string | null,
  ): { job: JobRow; account: AccountOwnership | undefined; succeeded: JobRow | undefined } {
    return atomically(this.db, () => {
      const { job, account } = this.requireWithAccount(run.jobId, run.accountId);
      const succeeded = reportedRunIsCurrent(job, account, run) ? this.transition(job, 'succeeded', succeededPatch(job, now, result)) : undefined;
      return { job, account, succeeded };
    });
  }

  requireWithAccountSucceedingEach(
    reports: readonly { run: ReportedRun; result: string | null }[],
    now: number,
  ): { job: JobRow; account: AccountOwnership | undefined; succeeded: JobRow | undefined }[] {
    if (new Set(reports.map((r) => r.run.jobId)).size !== reports.length) throw new Error('requireWithAccountSucceedingEach: a job reported twice');
    // Every job is read before any moves: an unknown one refuses the call with nothing moved.
    for (const { run } of reports) this.requireWithAccount(run.jobId, run.accountId);
    return atomically(this.db, () => reports.map(({ run, result }) => this.requireWithAccountSucceeding(run, now, result)));
  }

  /**
   * Moves a job to `to` if its current status allows it, in one transaction with its event.
   * Throws ILLEGAL_TRANSITION otherwise, changing nothing.
   */
  transition(id: string, to: JobStatus, patch?: JobPatch, event?: Record<string, unknown>): JobRow;
  /**
   * The same, from a status the caller has just read (saving a read of the row on the hot path).
   * The update applies only if the job still has that status; if it has moved on, the job is read
   * again and judged by its real status.
   */
  transition(job: Pick<JobRow, 'id' | 'status'>, to: JobStatus, patch?: JobPatch, event?: Record<string, unknown>): JobRow;
  transition(job: string | Pick<JobRow, 'id' | 'status'>, to: JobStatus, patch?: JobPatch, event?: Record<string, unknown>): JobRow;
  transition(job: string | Pick<JobRow, 'id' | 'status'>, to: JobStatus, patch: JobPatch = {}, event: Record<string, unknown> = {}): JobRow {
    return atomically(this.db, () => {
      let current = typeof job === 'string' ? this.require(job) : job;
      for (;;) {
        assertCanTransition(current, to);
        const columns = Object.keys(patch) as (keyof JobPatch)[];
        const sets = ['status = @status', ...columns.map((c) => `${c} = @${c}`)].join(', ');
        // RETURNING saves a second read of the row on the hot path.
        const row = this.db
          .prepare(`UPDATE jobs SET ${sets} WHERE id = @id AND status = @from RETURNING *`)
          .get({ ...patch, status: to, id: current.id, from: current.status }) as JobRow | undefined;
        if (row) {
          this.addEvent(current.id, 'status', { from: current.status, status: to, ...event });
          return row;
        }
        const actual = this.require(current.id);
        if (actual.status === current.status) throw new Error(`job ${current.id}: the update of status ${current.status} matched no row`);
        current = actual;
      }
    });
  }

  /**
   * Records that a cancel was asked of the job's worker (once; the first request's time stays).
   * From then on the job ends `cancelled` instead of going back to the queue.
   */
  requestCancel(id: string, now = Date.now()): JobRow {
    return atomically(this.db, () => {
      const row = this.db.prepare('UPDATE jobs SET cancel_requested_at = ? WHERE id = ? AND cancel_requested_at IS NULL RETURNING *').get(now, id) as
        | JobRow
        | undefined;
      if (row) this.addEvent(id, 'cancel_requested', {});
      return row ?? this.require(id);
    });
  }

  setProgress(id: string, percent: number, step: string, message: string | null): JobRow {
    atomically(this.db, () => {
      this.db.prepare('UPDATE jobs SET progress_percent = ?, progress_step = ?, progress_message = ? WHERE id = ?').run(percent, step, message, id);
      this.addEvent(id, 'progress', { percent, step, message });
    });
    return this.require(id);
  }

  addEvent(jobId: string, kind: string, data: Record<string, unknown>): void {
    this.db.prepare('INSERT INTO job_events (job_id, at, kind, data) VALUES (?, ?, ?, ?)').run(jobId, Date.now(), kind, JSON.stringify(data));
  }

  events(jobId: string): JobEventView[] {
    const rows = this.db.prepare('SELECT at, kind, data FROM job_events WHERE job_id = ? ORDER BY seq').all(jobId) as {
      at: number;
      kind: string;
      data: string;
    }[];
    return rows.map(jobEventView);
  }

  /**
   * Queued jobs that may run now, in dispatch order (priority, then runAfter, then arrival),
   * leaving out those whose account already has a job in flight. Reads the queue in order, so it
   * costs what it skips: cheap while most queued jobs are runnable, a walk of the whole queue when
   * most wait behind busy accounts (then `nextQueuedOf` per idle account is the cheaper way).
   * The account's owner comes in the same read.
   */
  runnable(now: number, limit: number): RunnableJob[] {
    return this.db
      .prepare(
        `SELECT ${RUNNABLE_COLUMNS}
           FROM jobs j ${RUNNABLE_JOINS}
          WHERE j.status = 'queued' AND j.run_after <= ?
            AND (j.account_id IS NULL OR NOT EXISTS (SELECT 1 FROM jobs k WHERE k.account_id = j.account_id AND k.status IN ('dispatched','running')))
          ORDER BY j.priority DESC, j.run_after, j.seq LIMIT ?`,
      )
      .all(now, limit) as RunnableJob[];
  }

  /**
   * The job an account would run next: its first queued job that is due, in dispatch order
   * (priority, then runAfter, then arrival), with the account's ownership columns. One probe of
   * the queued-jobs-by-account index, however long the account's queue or history.
   */
  nextQueuedOf(accountId: string, now: number): RunnableJob | undefined {
    return this.db
      .prepare(
        `SELECT ${RUNNABLE_COLUMNS}
           FROM jobs j ${RUNNABLE_JOINS}
          WHERE j.account_id = ? AND j.status = 'queued' AND j.run_after <= ?
          ORDER BY j.priority DESC, j.run_after, j.seq LIMIT 1`,
      )
      .get(accountId, now) as RunnableJob | undefined;
  }

  /** When the account's first queued job is due (its earliest runAfter), or undefined if it has none queued. */
  firstQueuedDueAt(accountId: string): number | undefined {
    const row = this.db.prepare("SELECT MIN(run_after) AS at FROM jobs WHERE account_id = ? AND status = 'queued'").get(accountId) as { at: number | null };
    return row.at ?? undefined;
  }

  /** Accounts with at least one queued job. */
  accountsWithQueuedJobs(): string[] {
    return this.db
      .prepare("SELECT DISTINCT account_id FROM jobs INDEXED BY jobs_queued_by_account WHERE status = 'queued' AND account_id IS NOT NULL")
      .pluck()
      .all() as string[];
  }

  /**
   * Pool jobs (no account yet) that may run now, in dispatch order. `INDEXED BY`: left to itself,
   * SQLite read every queued job through the status index to find the few without an account.
   */
  queuedPoolJobs(now: number, limit: number): RunnableJob[] {
    return this.db
      .prepare(
        `SELECT ${RUNNABLE_COLUMNS}
           FROM jobs j INDEXED BY jobs_queued_by_account ${RUNNABLE_JOINS}
          WHERE j.account_id IS NULL AND j.status = 'queued' AND j.run_after <= ?
          ORDER BY j.priority DESC, j.run_after, j.seq LIMIT ?`,
      )
      .all(now, limit) as RunnableJob[];
  }

  /** Jobs by type and status: the unfinished ones only (index-bound), or every job (one pass over the table). */
  countByTypeAndStatus(unfinishedOnly: boolean): { type: string; status: JobStatus; n: number }[] {
    const sql = unfinishedOnly
      ? "SELECT type, status, COUNT(*) AS n FROM jobs WHERE status IN ('queued','dispatched','running') GROUP BY type, status"
      : 'SELECT type, status, COUNT(*) AS n FROM jobs GROUP BY type, status';
    return this.db.prepare(sql).all() as { type: string; status: JobStatus; n: number }[];
  }

  /** Since when the oldest job that could run now has waited (its creation or its run_after), if any. */
  oldestRunnableSince(now: number): number | undefined {
    const row = this.db.prepare("SELECT MIN(MAX(created_at, run_after)) AS since FROM jobs WHERE status = 'queued' AND run_after <= ?").get(now) as {
      since: number | null;
    };
    return row.since ?? undefined;
  }

  finishedSince(since: number, limit: number, after?: Pick<JobRow, 'finished_at' | 'seq'>): JobRow[] {
    return this.db
      .prepare('SELECT * FROM jobs WHERE finished_at >= ? AND (finished_at, seq) > (?, ?) ORDER BY finished_at, seq LIMIT ?')
      .all(since, after?.finished_at ?? since, after?.seq ?? -1, limit) as JobRow[];
  }

  /** Jobs finished at or after `since`, by minute (ms since the epoch / 60,000) and final status. */
  finishedPerMinute(since: number): { minute: number; status: JobStatus; n: number }[] {
    return this.db
      .prepare(
        // `+status`: the window is found by finished_at; left to itself, SQLite chose the status
        // index and walked every finished job in the history.
        `SELECT finished_at / 60000 AS minute, status, COUNT(*) AS n FROM jobs
         WHERE finished_at >= ? AND +status IN ('succeeded', 'failed', 'cancelled')
         GROUP BY minute, status`,
      )
      .all(since) as { minute: number; status: JobStatus; n: number }[];
  }

  /**
   * A page of the job's timeline, oldest first, from the `(job_id, seq)` index: a page costs its
   * own rows, however long the job's history.
   */
  eventPage(jobId: string, limit: number, cursor?: string): Page<JobEventView> {
    const rows = this.db
      .prepare('SELECT seq, at, kind, data FROM job_events WHERE job_id = ? AND seq > ? ORDER BY seq LIMIT ?')
      .all(jobId, jobEventsAfter(cursor), limit + 1) as JobEventRow[];
    return jobEventPage(rows, limit);
  }

  /** Dispatched or running jobs whose lease ran out before `cutoff`. */
  leaseExpiredBefore(cutoff: number): JobRow[] {
    return this.db
      .prepare("SELECT * FROM jobs WHERE status IN ('dispatched','running') AND lease_expires_at IS NOT NULL AND lease_expires_at < ?")
      .all(cutoff) as JobRow[];
  }

  /** The account's queued jobs. */
  queuedOf(accountId: string): JobRow[] {
    return this.db.prepare("SELECT * FROM jobs WHERE account_id = ? AND status = 'queued'").all(accountId) as JobRow[];
  }

  activeForWorker(workerId: string): JobRow[] {
    return this.db.prepare("SELECT * FROM jobs WHERE worker_id = ? AND status IN ('dispatched','running')").all(workerId) as JobRow[];
  }

  activeAccountIds(): Set<string> {
    const rows = this.db.prepare("SELECT DISTINCT account_id FROM jobs WHERE status IN ('dispatched','running') AND account_id IS NOT NULL").all() as {
      account_id: string;
    }[];
    return new Set(rows.map((r) => r.account_id));
  }

  countActiveByWorker(): Map<string, number> {
    const rows = this.db
      .prepare("SELECT worker_id, COUNT(*) AS n FROM jobs WHERE status IN ('dispatched','running') AND worker_id IS NOT NULL GROUP BY worker_id")
      .all() as { worker_id: string; n: number }[];
    return new Map(rows.map((r) => [r.worker_id, r.n]));
  }

  /** Queued and in-flight jobs by status, from the status index's ranges (not the whole history). */
  countUnfinished(): Pick<Record<JobStatus, number>, 'queued' | 'dispatched' | 'running'> {
    const out = { queued: 0, dispatched: 0, running: 0 };
    for (const r of this.db.prepare("SELECT status, COUNT(*) AS n FROM jobs WHERE status IN ('queued','dispatched','running') GROUP BY status").all() as {
      status: 'queued' | 'dispatched' | 'running';
      n: number;
    }[])
      out[r.status] = r.n;
    return out;
  }

  countByStatus(): Record<JobStatus, number> {
    const out: Record<JobStatus, number> = { queued: 0, dispatched: 0, running: 0, succeeded: 0, failed: 0, cancelled: 0 };
    for (const r of this.db.prepare('SELECT status, COUNT(*) AS n FROM jobs GROUP BY status').all() as { status: JobStatus; n: number }[]) out[r.status] = r.n;
    return out;
  }

  list(filter: JobFilter, limit: number, cursor?: string): Page<JobView> {
    const where: string[] = [];
    const params: Record<string, unknown> = { limit: limit + 1 };
    if (cursor && Number.isFinite(Number(cursor))) {
      where.push('seq < @cursor');
      params.cursor = Number(cursor);
    }
    if (filter.status) {
      where.push('status = @status');
      params.status = filter.status;
    }
    if (filter.type) {
      where.push('type = @type');
      params.type = filter.type;
    }
    if (filter.accountId) {
      where.push('account_id = @accountId');
      params.accountId = filter.accountId;
    }
    const sql = `SELECT * FROM jobs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT @limit`;
    const rows = this.db.prepare(sql).all(params) as JobRow[];
    const page = rows.slice(0, limit);
    return { items: this.views(page), nextCursor: rows.length > limit ? String(page.at(-1)!.seq) : null };
  }

  children(parentId: string): JobRow[] {
    return this.db.prepare('SELECT * FROM jobs WHERE parent_id = ? ORDER BY seq').all(parentId) as JobRow[];
  }

  /**
   * A parent's children counted by status, from the parent index alone, plus the percent of the
   * first child in flight: what a parent's progress needs, without reading every child's row
   * (which made a batch of n children cost O(n²) over its life).
   */
  childTally(parentId: string): ChildTally {
    const tally: ChildTally = { total: 0, finished: 0, failed: 0, cancelled: 0, currentPercent: null };
    for (const { status, n } of this.db.prepare('SELECT status, COUNT(*) AS n FROM jobs WHERE parent_id = ? GROUP BY status').all(parentId) as {
      status: JobStatus;
      n: number;
    }[]) {
      tally.total += n;
      if (status === 'succeeded' || status === 'failed' || status === 'cancelled') tally.finished += n;
      if (status === 'failed') tally.failed = n;
      if (status === 'cancelled') tally.cancelled = n;
    }
    const current = this.db
      .prepare("SELECT progress_percent FROM jobs WHERE parent_id = ? AND status IN ('dispatched','running') ORDER BY seq LIMIT 1")
      .get(parentId) as { progress_percent: number } | undefined;
    tally.currentPercent = current?.progress_percent ?? null;
    return tally;
  }

  /** The parent's first child (in creation order) with `status`, optionally of `type`. */
  firstChild(parentId: string, status: JobStatus, type?: string): JobRow | undefined {
    return type === undefined
      ? (this.db.prepare('SELECT * FROM jobs WHERE parent_id = ? AND status = ? ORDER BY seq LIMIT 1').get(parentId, status) as JobRow | undefined)
      : (this.db.prepare('SELECT * FROM jobs WHERE parent_id = ? AND status = ? AND type = ? ORDER BY seq LIMIT 1').get(parentId, status, type) as
          | JobRow
          | undefined);
  }

  firstChildOfType(parentId: string, type: string): JobRow | undefined {
    return this.db.prepare('SELECT * FROM jobs WHERE parent_id = ? AND type = ? ORDER BY seq LIMIT 1').get(parentId, type) as JobRow | undefined;
  }

  /** Views of several rows, in their order, with one query for what they add to the rows (see job-views.ts). */
  views(rows: readonly JobRow[]): JobView[] {
    const { finished, parents } = jobsWithExtras(rows);
    const found =
      finished.length === 0 && parents.length === 0
        ? []
        : (this.db
            .prepare(
              `SELECT 'artifact' AS kind, job_id AS owner, name, size, 0 AS seq FROM artifacts WHERE job_id IN (SELECT value FROM json_each(@finished))
               UNION ALL
               SELECT 'child', parent_id, id, NULL, seq FROM jobs WHERE parent_id IN (SELECT value FROM json_each(@parents))
               ORDER BY kind, owner, seq, name`,
            )
            .all({ finished: JSON.stringify(finished), parents: JSON.stringify(parents) }) as JobExtraRow[]);
    return jobViews(rows, found, this.links);
  }

  /** One row's view: its extras read by its own index, without the list query's json_each and union (a view follows every job's move). */
  view(row: JobRow): JobView {
    const { finished, parents } = jobsWithExtras([row]);
    if (parents.length > 0) return this.views([row])[0]!;
    const found =
      finished.length === 0
        ? []
        : (this.db
            .prepare("SELECT 'artifact' AS kind, job_id AS owner, name, size FROM artifacts WHERE job_id = ? ORDER BY name")
            .all(row.id) as JobExtraRow[]);
    return jobViews([row], found, this.links)[0]!;
  }
}
