import { FleetError, type JobEventView, type JobStatus, type JobView, type Page } from '@fleetwright/shared';
import { assertCanTransition } from '../backend/job-transitions.js';
import type { JobsBackend } from '../backend/jobs-backend.js';
import { dispatchDetail } from '../backend/dispatch-move.js';
import type { AccountOwnership, ChildTally, DispatchMove, JobEventRow, JobFilter, JobPatch, JobRow, NewJob } from '../backend/records.js';
import type { JobLinks } from '../backend/job-links.js';
import { JOB_WITH_ACCOUNT_COLUMNS, jobWithAccount, type JobWithAccountRow } from '../backend/job-with-account.js';
import type { ReportedRun } from '../backend/reported-success.js';
import { jobEventPage, jobEventView, jobEventsAfter, jobViews, jobsWithExtras, type JobExtraRow } from '../backend/job-views.js';
import { timeOrderedId } from '../time-ordered-id.js';
import type { ClientScope } from './client-scope.js';
import { JobQueries } from './job-queries.js';

/** Columns a transition may set: the SQL names come from this closed list, never from input. */
const PATCH_COLUMNS = new Set<keyof JobPatch>([
  'account_id',
  'platform',
  'worker_id',
  'epoch',
  'attempt',
  'run_after',
  'lease_expires_at',
  'dispatched_at',
  'started_at',
  'finished_at',
  'result',
  'error_code',
  'error_message',
  'progress_percent',
  'progress_step',
  'progress_message',
]);

/** An artifact as a finishing transition returns it (see ARTIFACTS_OF_MOVED). */
interface FoundArtifact {
  name: string;
  size: number;
}

/** The moved job's artifacts, in the order the extras query of `views` gives them. */
const ARTIFACTS_OF_MOVED = `(SELECT COALESCE(json_agg(json_build_object('name', a.name, 'size', a.size) ORDER BY a.name COLLATE "C"), '[]')
   FROM artifacts a WHERE a.job_id = moved.id) AS found_artifacts`;

/** Where a transaction keeps the artifacts a job brought when it finished (see transition). */
export function artifactsKey(jobId: string): string {
  return `job-artifacts:${jobId}`;
}

/**
 * JobsBackend on PostgreSQL. A change and its timeline event are one statement (a data-modifying
 * CTE), so each is atomic without a transaction of its own; a transition applies only if the row
 * still has the status it was judged by (`WHERE status = $from`), which holds under concurrent
 * callers: a second writer waits for the first's row lock, then finds the status moved on.
 */
export class PostgresJobs extends JobQueries implements JobsBackend {
  constructor(
    scope: ClientScope,
    private readonly links: JobLinks,
  ) {
    super(scope);
  }

  async create(job: NewJob): Promise<{ row: JobRow; created: boolean }> {
    const now = Date.now();
    const id = timeOrderedId(now);
    const status = job.status ?? 'queued';
    const fingerprint = job.idempotencyKey ? (job.idempotencyFingerprint ?? null) : null;
    // ON CONFLICT: two requests with one key at once make one job; the second reads the first's.
    const row = await this.scope.row<JobRow>(
      `WITH created AS (
         INSERT INTO jobs (id, type, platform, account_id, pool, payload, priority, run_after, status, max_attempts, timeout_ms, parent_id,
                           idempotency_key, idempotency_fingerprint, monitor_id, options, created_at, started_at)
         SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18
          WHERE $4::text IS NULL OR EXISTS (SELECT 1 FROM accounts WHERE id = $4)
         ON CONFLICT (idempotency_key) DO NOTHING
         RETURNING *
       ), event AS (
         INSERT INTO job_events (job_id, at, kind, data) SELECT id, $17::bigint, 'status', $19::text FROM created
       )
       SELECT * FROM created`,
      [
        id,
        job.type,
        job.platform,
        job.accountId,
        job.pool,
        JSON.stringify(job.payload),
        job.priority,
        job.runAfter,
        status,
        job.maxAttempts,
        job.timeoutMs,
        job.parentId,
        job.idempotencyKey,
        fingerprint,
        job.monitorId ?? null,
        JSON.stringify(job.options ?? {}),
        now,
        status === 'running' ? now : null,
        JSON.stringify({ status }),
      ],
    );
    if (row) return { row, created: true };
    const existing = job.idempotencyKey ? await this.scope.row<JobRow>('SELECT * FROM jobs WHERE idempotency_key = $1', [job.idempotencyKey]) : undefined;
    // No row and no job under the key: the account is gone (the insert's condition), deleted meanwhile.
    if (!existing && job.accountId) throw new FleetError('ACCOUNT_NOT_FOUND', `no account ${job.accountId}`, { field: 'accountId' });
    if (!existing) throw new Error(`job with idempotency key ${job.idempotencyKey}: the insert conflicted but no job holds the key`);
    // Jobs created before fingerprints were kept (null) match any re-post, as they always did.
    if (existing.idempotency_fingerprint !== null && fingerprint !== null && existing.idempotency_fingerprint !== fingerprint) {
      throw new FleetError('CONFLICT', `idempotencyKey: ${job.idempotencyKey} was already used for a different request (job ${existing.id})`, {
        field: 'idempotencyKey',
      });
    }
    return { row: existing, created: false };
  }

  async createNew(jobs: readonly NewJob[]): Promise<(JobRow | undefined)[]> {
    if (jobs.length === 0) return [];
    const now = Date.now();
    const ids = jobs.map(() => timeOrderedId(now));
    const statuses = jobs.map((job) => job.status ?? 'queued');
    const column = <T>(pick: (job: NewJob, i: number) => T): T[] => jobs.map(pick);
    // Inserted in the order given (ids and seq rise with it); a key used twice among them goes to
    // the first, and the second is left to `create`.
    const rows = await this.scope.rows<JobRow>(
      `WITH input AS (
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int[], $8::bigint[], $9::text[],
                              $10::int[], $11::bigint[], $12::text[], $13::text[], $14::text[], $15::text[], $16::text[], $17::bigint[])
           WITH ORDINALITY AS i(id, type, platform, account_id, pool, payload, priority, run_after, status, max_attempts, timeout_ms, parent_id,
                                idempotency_key, idempotency_fingerprint, monitor_id, options, started_at, n)
       ), created AS (
         INSERT INTO jobs (id, type, platform, account_id, pool, payload, priority, run_after, status, max_attempts, timeout_ms, parent_id,
                           idempotency_key, idempotency_fingerprint, monitor_id, options, created_at, started_at)
         SELECT id, type, platform, account_id, pool, payload, priority, run_after, status, max_attempts, timeout_ms, parent_id,
                idempotency_key, idempotency_fingerprint, monitor_id, options, $18, started_at
           FROM input
          WHERE account_id IS NULL OR EXISTS (SELECT 1 FROM accounts WHERE accounts.id = input.account_id)
          ORDER BY n
         ON CONFLICT (idempotency_key) DO NOTHING
         RETURNING *
       ), event AS (
         INSERT INTO job_events (job_id, at, kind, data) SELECT id, $18::bigint, 'status', '{"status":"' || status || '"}' FROM created
       )
       SELECT * FROM created`,
      [
        ids,
        column((job) => job.type),
        column((job) => job.platform),
        column((job) => job.accountId),
        column((job) => job.pool),
        column((job) => JSON.stringify(job.payload)),
        column((job) => job.priority),
        column((job) => job.runAfter),
        statuses,
        column((job) => job.maxAttempts),
        column((job) => job.timeoutMs),
        column((job) => job.parentId),
        column((job) => job.idempotencyKey),
        column((job) => (job.idempotencyKey ? (job.idempotencyFingerprint ?? null) : null)),
        column((job) => job.monitorId ?? null),
        column((job) => JSON.stringify(job.options ?? {})),
        column((_job, i) => (statuses[i] === 'running' ? now : null)),
        now,
      ],
    );
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id));
  }

  async dispatchMany(moves: readonly DispatchMove[]): Promise<JobRow[]> {
    if (moves.length === 0) return [];
    const column = <T>(pick: (move: DispatchMove) => T): T[] => moves.map(pick);
    // One statement for the pass: it moves every job or none (`ready` counts those still queued).
    const rows = await this.scope.rows<JobRow>(
      `WITH input AS (
         SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::bigint[], $6::text[], $7::text[], $8::boolean[], $9::text[])
           AS i(id, worker_id, epoch, dispatched_at, lease_expires_at, account_id, platform, releases_hold, event)
       ), ready AS (
         SELECT count(*) AS n FROM jobs j JOIN input i ON i.id = j.id WHERE j.status = 'queued'
       ), moved AS (
         UPDATE jobs j SET status = 'dispatched', worker_id = i.worker_id, epoch = i.epoch, dispatched_at = i.dispatched_at,
                lease_expires_at = i.lease_expires_at, account_id = COALESCE(i.account_id, j.account_id), platform = COALESCE(i.platform, j.platform),
                progress_step = CASE WHEN i.releases_hold THEN 'queued' ELSE j.progress_step END,
                progress_message = CASE WHEN i.releases_hold THEN NULL ELSE j.progress_message END
           FROM input i
          WHERE j.id = i.id AND j.status = 'queued' AND (SELECT n FROM ready) = $10
         RETURNING j.*, i.event AS dispatch_event
       ), event AS (
         INSERT INTO job_events (job_id, at, kind, data) SELECT id, $11::bigint, 'status', dispatch_event FROM moved
       )
       SELECT * FROM moved`,
      [
        column((m) => m.id),
        column((m) => m.workerId),
        column((m) => m.epoch),
        column((m) => m.dispatchedAt),
        column((m) => m.leaseExpiresAt),
        column((m) => m.account?.id ?? null),
        column((m) => m.account?.platform ?? null),
        column((m) => m.releasesHold === true),
        column((m) => JSON.stringify({ from: 'queued', status: 'dispatched', ...dispatchDetail(m) })),
        moves.length,
        Date.now(),
      ],
    );
    if (rows.length < moves.length) {
      for (const move of moves) {
        const actual = await this.require(move.id);
        if (actual.status !== 'queued') assertCanTransition(actual, 'dispatched');
      }
      throw new Error(`dispatching ${moves.length} jobs moved ${rows.length} though every one is queued`);
    }
    const byId = new Map(rows.map(({ dispatch_event: _event, ...row }: JobRow & { dispatch_event?: string }) => [row.id, row as JobRow]));
    return moves.map((move) => byId.get(move.id)!);
  }

  async transition(job: string | Pick<JobRow, 'id' | 'status'>, to: JobStatus, patch: JobPatch = {}, event: Record<string, unknown> = {}): Promise<JobRow> {
    let current = typeof job === 'string' ? await this.require(job) : job;
    const columns = Object.keys(patch) as (keyof JobPatch)[];
    for (const column of columns) if (!PATCH_COLUMNS.has(column)) throw new FleetError('INTERNAL_ERROR', `a transition cannot set ${column}`);
    for (;;) {
      assertCanTransition(current, to);
      const sets = ['status = $3', ...columns.map((c, i) => `${c} = $${i + 6}`)].join(', ');
      // A job that finishes here is viewed next (its announcement): its artifacts come with the move.
      const finishing = patch.finished_at != null && this.scope.inTransaction();
      const row = await this.scope.row<JobRow & { found_artifacts?: FoundArtifact[] }>(
        `WITH moved AS (
           UPDATE jobs SET ${sets} WHERE id = $1 AND status = $2 RETURNING *
         ), event AS (
           INSERT INTO job_events (job_id, at, kind, data) SELECT id, $4::bigint, 'status', $5::text FROM moved
         )
         SELECT *${finishing ? `, ${ARTIFACTS_OF_MOVED}` : ''} FROM moved`,
        [current.id, current.status, to, Date.now(), JSON.stringify({ from: current.status, status: to, ...event }), ...columns.map((c) => patch[c])],
      );
      if (row) {
        if (finishing) {
          const { found_artifacts: artifacts = [], ...moved } = row;
          this.scope.remember(artifactsKey(moved.id), { finishedAt: moved.finished_at, artifacts });
          return moved;
        }
        return row;
      }
      const actual = await this.require(current.id);
      if (actual.status === current.status) throw new Error(`job ${current.id}: the update of status ${current.status} matched no row`);
      current = actual;
    }
  }

  /**
   * The read and the move in one statement: `found` reads the job and the account as they were
   * before it (a data-modifying CTE's reads see the statement's starting snapshot), `moved` applies
   * the success only where reportedRunIsCurrent holds, with the columns of succeededPatch.
   */
  async requireWithAccountSucceeding(
    run: ReportedRun,
    now: number,
    result: string | null,
  ): Promise<{ job: JobRow; account: AccountOwnership | undefined; succeeded: JobRow | undefined }> {
    type Row = JobWithAccountRow & { row_kind: 'found' | 'moved'; found_artifacts: FoundArtifact[] | null };
    const rows = await this.scope.rows<Row>(
      `WITH found AS (
         SELECT ${JOB_WITH_ACCOUNT_COLUMNS} FROM jobs j LEFT JOIN accounts a ON a.id = $2 WHERE j.id = $1
       ), moved AS (
         UPDATE jobs SET status = 'succeeded', finished_at = $6::bigint, started_at = COALESCE(jobs.started_at, $6::bigint), result = $7,
                error_code = NULL, error_message = NULL, progress_percent = 100, progress_step = 'done'
           FROM found f
          WHERE jobs.id = $1 AND jobs.status IN ('dispatched', 'running') AND jobs.worker_id = $3 AND jobs.account_id = $2
            AND jobs.attempt = $4 AND jobs.epoch = $5 AND f.reported_account_epoch = $5
         RETURNING jobs.*
       ), event AS (
         INSERT INTO job_events (job_id, at, kind, data)
         SELECT m.id, $6::bigint, 'status', jsonb_build_object('from', f.status, 'status', 'succeeded')::text FROM moved m, found f
       )
       SELECT 'found' AS row_kind, f.*, NULL AS found_artifacts FROM found f
       UNION ALL
       SELECT 'moved', moved.*, NULL, NULL, NULL, NULL, ${ARTIFACTS_OF_MOVED} FROM moved`,
      [run.jobId, run.accountId, run.workerId, run.attempt, run.epoch, now, result],
    );
    const strip = ({ row_kind: _kind, found_artifacts: _artifacts, ...row }: Row): JobWithAccountRow => row;
    const found = rows.find((r) => r.row_kind === 'found');
    const { job, account } = jobWithAccount(found && strip(found), run.jobId);
    const moved = rows.find((r) => r.row_kind === 'moved');
    if (!moved) return { job, account, succeeded: undefined };
    const { job: succeeded } = jobWithAccount(strip(moved), run.jobId);
    // As a finishing transition does: the job's announcement views it next, with these.
    if (this.scope.inTransaction())
      this.scope.remember(artifactsKey(succeeded.id), { finishedAt: succeeded.finished_at, artifacts: moved.found_artifacts ?? [] });
    return { job, account, succeeded };
  }

  async requireWithAccountSucceedingEach(
    reports: readonly { run: ReportedRun; result: string | null }[],
    now: number,
  ): Promise<{ job: JobRow; account: AccountOwnership | undefined; succeeded: JobRow | undefined }[]> {
    if (reports.length === 0) return [];
    if (new Set(reports.map((r) => r.run.jobId)).size !== reports.length) throw new Error('requireWithAccountSucceedingEach: a job reported twice');
    type Row = JobWithAccountRow & { row_kind: 'found' | 'moved'; n: number; found_artifacts: FoundArtifact[] | null };
    const column = <T>(pick: (report: { run: ReportedRun; result: string | null }) => T): T[] => reports.map(pick);
    // requireWithAccountSucceeding's statement for every report at once. Nothing moves unless every
    // job was found, so an unknown one refuses the whole call as the one-report call refuses it.
    const rows = await this.scope.rows<Row>(
      `WITH input AS (
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::bigint[], $6::text[])
           WITH ORDINALITY AS i(job_id, account_id, worker_id, attempt, epoch, result, n)
       ), found AS (
         SELECT i.n, ${JOB_WITH_ACCOUNT_COLUMNS} FROM input i JOIN jobs j ON j.id = i.job_id LEFT JOIN accounts a ON a.id = i.account_id
       ), moved AS (
         UPDATE jobs SET status = 'succeeded', finished_at = $7::bigint, started_at = COALESCE(jobs.started_at, $7::bigint), result = i.result,
                error_code = NULL, error_message = NULL, progress_percent = 100, progress_step = 'done'
           FROM input i JOIN found f ON f.n = i.n
          WHERE jobs.id = i.job_id AND jobs.status IN ('dispatched', 'running') AND jobs.worker_id = i.worker_id AND jobs.account_id = i.account_id
            AND jobs.attempt = i.attempt AND jobs.epoch = i.epoch AND f.reported_account_epoch = i.epoch
            AND (SELECT COUNT(*) FROM found) = $8
         RETURNING i.n AS moved_n, jobs.*
       ), event AS (
         INSERT INTO job_events (job_id, at, kind, data)
         SELECT m.id, $7::bigint, 'status', jsonb_build_object('from', f.status, 'status', 'succeeded')::text FROM moved m JOIN found f ON f.n = m.moved_n
       )
       SELECT 'found' AS row_kind, f.*, NULL AS found_artifacts FROM found f
       UNION ALL
       SELECT 'moved', moved.*, NULL, NULL, NULL, NULL, ${ARTIFACTS_OF_MOVED} FROM moved`,
      [
        column((r) => r.run.jobId),
        column((r) => r.run.accountId),
        column((r) => r.run.workerId),
        column((r) => r.run.attempt),
        column((r) => r.run.epoch),
        column((r) => r.result),
        now,
        reports.length,
      ],
    );
    const strip = ({ row_kind: _kind, n: _n, found_artifacts: _artifacts, ...row }: Row): JobWithAccountRow => row;
    const found = new Map<number, Row>();
    const moved = new Map<number, Row>();
    for (const row of rows) (row.row_kind === 'found' ? found : moved).set(Number(row.n), row);
    return reports.map(({ run }, i) => {
      const before = found.get(i + 1);
      const { job, account } = jobWithAccount(before && strip(before), run.jobId);
      const after = moved.get(i + 1);
      if (!after) return { job, account, succeeded: undefined };
      const { job: succeeded } = jobWithAccount(strip(after), run.jobId);
      if (this.scope.inTransaction())
        this.scope.remember(artifactsKey(succeeded.id), { finishedAt: succeeded.finished_at, artifacts: after.found_artifacts ?? [] });
      return { job, account, succeeded };
    });
  }

  async requestCancel(id: string, now = Date.now()): Promise<JobRow> {
    const row = await this.scope.row<JobRow>(
      `WITH asked AS (
         UPDATE jobs SET cancel_requested_at = $2 WHERE id = $1 AND cancel_requested_at IS NULL RETURNING *
       ), event AS (
         INSERT INTO job_events (job_id, at, kind, data) SELECT id, $3::bigint, 'cancel_requested', '{}' FROM asked
       )
       SELECT * FROM asked`,
      [id, now, Date.now()],
    );
    return row ?? this.require(id);
  }

  async setProgress(id: string, percent: number, step: string, message: string | null): Promise<JobRow> {
    const row = await this.scope.row<JobRow>(
      `WITH moved AS (
         UPDATE jobs SET progress_percent = $2, progress_step = $3, progress_message = $4 WHERE id = $1 RETURNING *
       ), event AS (
         INSERT INTO job_events (job_id, at, kind, data) SELECT id, $5::bigint, 'progress', $6::text FROM moved
       )
       SELECT * FROM moved`,
      [id, percent, step, message, Date.now(), JSON.stringify({ percent, step, message })],
    );
    return row ?? this.require(id);
  }

  async addEvent(jobId: string, kind: string, data: Record<string, unknown>): Promise<void> {
    await this.scope.changes('INSERT INTO job_events (job_id, at, kind, data) VALUES ($1, $2, $3, $4)', [jobId, Date.now(), kind, JSON.stringify(data)]);
  }

  async events(jobId: string): Promise<JobEventView[]> {
    const rows = await this.scope.rows<{ at: number; kind: string; data: string }>('SELECT at, kind, data FROM job_events WHERE job_id = $1 ORDER BY seq', [
      jobId,
    ]);
    return rows.map(jobEventView);
  }

  /** From the `(job_id, seq)` index: the cursor is the last event's seq on the page before. */
  async eventPage(jobId: string, limit: number, cursor?: string): Promise<Page<JobEventView>> {
    const rows = await this.scope.rows<JobEventRow>('SELECT seq, at, kind, data FROM job_events WHERE job_id = $1 AND seq > $2 ORDER BY seq LIMIT $3', [
      jobId,
      jobEventsAfter(cursor),
      limit + 1,
    ]);
    return jobEventPage(rows, limit);
  }

  async list(filter: JobFilter, limit: number, cursor?: string): Promise<Page<JobView>> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (clause: string, value: unknown): void => {
      params.push(value);
      where.push(`${clause} $${params.length}`);
    };
    if (cursor && Number.isFinite(Number(cursor))) add('seq <', Number(cursor));
    if (filter.status) add('status =', filter.status);
    if (filter.type) add('type =', filter.type);
    if (filter.accountId) add('account_id =', filter.accountId);
    params.push(limit + 1);
    const rows = await this.scope.rows<JobRow>(
      `SELECT * FROM jobs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT $${params.length}`,
      params,
    );
    const page = rows.slice(0, limit);
    return { items: await this.views(page), nextCursor: rows.length > limit ? String(page.at(-1)!.seq) : null };
  }

  async childTally(parentId: string): Promise<ChildTally> {
    const tally: ChildTally = { total: 0, finished: 0, failed: 0, cancelled: 0, currentPercent: null };
    const counts = await this.scope.rows<{ status: JobStatus; n: number }>('SELECT status, COUNT(*) AS n FROM jobs WHERE parent_id = $1 GROUP BY status', [
      parentId,
    ]);
    for (const { status, n } of counts) {
      tally.total += n;
      if (status === 'succeeded' || status === 'failed' || status === 'cancelled') tally.finished += n;
      if (status === 'failed') tally.failed = n;
      if (status === 'cancelled') tally.cancelled = n;
    }
    const current = await this.scope.row<{ progress_percent: number }>(
      "SELECT progress_percent FROM jobs WHERE parent_id = $1 AND status IN ('dispatched','running') ORDER BY seq LIMIT 1",
      [parentId],
    );
    tally.currentPercent = current?.progress_percent ?? null;
    return tally;
  }

  /** Views of several rows, in their order, with one query for what they add to the rows (see job-views.ts). */
  async views(rows: readonly JobRow[]): Promise<JobView[]> {
    const { finished, parents } = jobsWithExtras(rows);
    // A job that finished in this transaction brought its artifacts with it (see transition).
    const brought = parents.length === 0 && finished.length === 1 ? await this.broughtArtifacts(rows.find((r) => r.id === finished[0])!) : undefined;
    const found = brought
      ? brought.map(({ name, size }): JobExtraRow => ({ kind: 'artifact', owner: finished[0]!, name, size }))
      : finished.length === 0 && parents.length === 0
        ? []
        : await this.scope.rows<JobExtraRow>(
            `SELECT * FROM (
               SELECT 'artifact' AS kind, job_id AS owner, name, size, 0::bigint AS seq FROM artifacts WHERE job_id = ANY($1::text[])
               UNION ALL
               SELECT 'child', parent_id, id, NULL, seq FROM jobs WHERE parent_id = ANY($2::text[])
             ) found
             ORDER BY kind, owner, seq, name COLLATE "C"`,
            [finished, parents],
          );
    return jobViews(rows, found, this.links);
  }

  private async broughtArtifacts(row: JobRow): Promise<FoundArtifact[] | undefined> {
    const brought = await this.scope.recall<{ finishedAt: number | null; artifacts: FoundArtifact[] }>(artifactsKey(row.id));
    return brought?.finishedAt === row.finished_at ? brought.artifacts : undefined;
  }

  async view(row: JobRow): Promise<JobView> {
    return (await this.views([row]))[0]!;
  }
}
