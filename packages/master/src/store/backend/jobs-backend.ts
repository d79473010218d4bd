import type { JobEventView, JobStatus, JobView, Page } from '@fleetwright/shared';
import type { AccountOwnership, ChildTally, DispatchMove, JobFilter, JobPatch, JobRow, NewJob, RunnableJob } from './records.js';
import type { ReportedRun } from './reported-success.js';

/**
 * The jobs table and its timeline. Every method is one atomic step: a transition and its event
 * land together or not at all. The rules of which status may follow which are JOB_TRANSITIONS
 * (store/job-transitions.ts); an adapter refuses any other move with ILLEGAL_TRANSITION.
 */
export interface JobsBackend {
  /**
   * Inserts a job, or returns the existing one when its idempotency key is known and the request
   * (its fingerprint) is the same; a different request under a known key is refused with CONFLICT.
   * `created` says which. A job for an account that does not exist (deleted meanwhile) is refused
   * with ACCOUNT_NOT_FOUND naming `accountId`: the caller need not read the account first.
   */
  create(job: NewJob): Promise<{ row: JobRow; created: boolean }>;
  /**
   * Inserts as new, in one write, each job whose account exists (or that has none) and whose
   * idempotency key is unused, in the order given. Returns each job's row, or undefined for a job
   * it did not insert: `create` answers those one by one (the job its key names, or the refusal).
   */
  createNew(jobs: readonly NewJob[]): Promise<(JobRow | undefined)[]>;
  row(id: string): Promise<JobRow | undefined>;
  /** The job, or JOB_NOT_FOUND naming `field` (default `jobId`). */
  require(id: string, field?: string): Promise<JobRow>;
  /**
   * The job (or JOB_NOT_FOUND naming `jobId`) with the ownership of the account `accountId`
   * (undefined when there is no such account), in one read: what a worker's report is checked by.
   */
  requireWithAccount(jobId: string, accountId: string): Promise<{ job: JobRow; account: AccountOwnership | undefined }>;
  /**
   * `requireWithAccount` for a worker's report that `run` succeeded, and with it the move to
   * `succeeded` at `now` with `result` (JSON text) when the run is the job's current one
   * (`reportedRunIsCurrent`): `succeeded` is the moved row then, else undefined and nothing
   * changed; `job` and `account` are as they were before the move. On PostgreSQL it is one round
   * trip where the read and the move were two. A caller that refuses the report after all throws,
   * and the decision it runs in undoes the move.
   */
  requireWithAccountSucceeding(
    run: ReportedRun,
    now: number,
    result: string | null,
  ): Promise<{ job: JobRow; account: AccountOwnership | undefined; succeeded: JobRow | undefined }>;
  /**
   * `requireWithAccountSucceeding` for each report, in the order given (each job once), as one
   * write: on PostgreSQL one round trip for them all. An unknown job refuses the whole call with
   * JOB_NOT_FOUND (naming `jobId`) and nothing moves.
   */
  requireWithAccountSucceedingEach(
    reports: readonly { run: ReportedRun; result: string | null }[],
    now: number,
  ): Promise<{ job: JobRow; account: AccountOwnership | undefined; succeeded: JobRow | undefined }[]>;
  /**
   * Moves a job to `to` with `patch`, and records a `status` event (`{ from, status, ...event }`),
   * if its current status allows it; else ILLEGAL_TRANSITION (field `status`) and nothing changes.
   * Given a row read earlier, the move is judged by the job's status at the time of the write.
   */
  transition(job: string | Pick<JobRow, 'id' | 'status'>, to: JobStatus, patch?: JobPatch, event?: Record<string, unknown>): Promise<JobRow>;
  /**
   * Moves queued jobs to `dispatched`, each with its worker and epoch (DispatchMove), and records
   * each one's `status` event as `transition` does; returns the moved rows in the order given. All
   * or nothing: if any of them is no longer queued, ILLEGAL_TRANSITION (field `status`) and none
   * moves. One statement on a networked store, however many jobs a scheduling pass sends.
   */
  dispatchMany(moves: readonly DispatchMove[]): Promise<JobRow[]>;
  /**
   * Records that a cancel was asked of the job's worker (once; the first request's time stays).
   * From then on the job ends `cancelled` instead of going back to the queue.
   */
  requestCancel(id: string, now?: number): Promise<JobRow>;
  setProgress(id: string, percent: number, step: string, message: string | null): Promise<JobRow>;
  addEvent(jobId: string, kind: string, data: Record<string, unknown>): Promise<void>;
  /** The job's whole timeline, oldest first. */
  events(jobId: string): Promise<JobEventView[]>;
  /** A page of the job's timeline, oldest first. */
  eventPage(jobId: string, limit: number, cursor?: string): Promise<Page<JobEventView>>;
  /**
   * Queued jobs that may run now (`run_after` ≤ `now`), in dispatch order (priority descending,
   * then run_after, then arrival), leaving out those whose account already has a job in flight,
   * with the account's ownership. Pool jobs (no account) are included.
   */
  runnable(now: number, limit: number): Promise<RunnableJob[]>;
  /** The account's first queued job that is due at `now`, in dispatch order, with the account's ownership. */
  nextQueuedOf(accountId: string, now: number): Promise<RunnableJob | undefined>;
  /** When the account's first queued job is due (its earliest run_after), or undefined if it has none queued. */
  firstQueuedDueAt(accountId: string): Promise<number | undefined>;
  /**
   * `nextQueuedOf` and `firstQueuedDueAt` for several accounts in one read: the next due job of
   * each that has one (`next`, in the order of `accountIds`), and for each of the others that has
   * jobs queued, when its first is due (`dueAt`).
   */
  nextQueuedOfEach(accountIds: readonly string[], now: number): Promise<{ next: RunnableJob[]; dueAt: Map<string, number> }>;
  /** Accounts with at least one queued job. */
  accountsWithQueuedJobs(): Promise<string[]>;
  /** Pool jobs (no account yet) that may run now, in dispatch order. */
  queuedPoolJobs(now: number, limit: number): Promise<RunnableJob[]>;
  /** Dispatched or running jobs whose lease ran out before `cutoff`. */
  leaseExpiredBefore(cutoff: number): Promise<JobRow[]>;
  /** The account's queued jobs, in dispatch order. */
  queuedOf(accountId: string): Promise<JobRow[]>;
  /** The worker's dispatched and running jobs. */
  activeForWorker(workerId: string): Promise<JobRow[]>;
  /** Accounts with a dispatched or running job. */
  activeAccountIds(): Promise<Set<string>>;
  /** Dispatched and running jobs per worker. */
  countActiveByWorker(): Promise<Map<string, number>>;
  /** `activeAccountIds` and `countActiveByWorker` in one read: what a scheduling pass starts from. */
  inFlight(): Promise<{ accounts: Set<string>; perWorker: Map<string, number> }>;
  /**
   * `inFlight`, and `nextQueuedOfEach` of those of `accountIds` that have no job in flight, in one
   * read (on PostgreSQL one round trip, where a pass made two, the second waiting for the first).
   */
  inFlightAndNextOf(
    accountIds: readonly string[],
    now: number,
  ): Promise<{ inFlight: { accounts: Set<string>; perWorker: Map<string, number> }; next: RunnableJob[]; dueAt: Map<string, number> }>;
  /** Jobs by type and status: the unfinished ones only, or every job. */
  countByTypeAndStatus(unfinishedOnly: boolean): Promise<{ type: string; status: JobStatus; n: number }[]>;
  /** Queued and in-flight jobs by status. */
  countUnfinished(): Promise<Pick<Record<JobStatus, number>, 'queued' | 'dispatched' | 'running'>>;
  /** Every job by status (each status present, 0 when none). */
  countByStatus(): Promise<Record<JobStatus, number>>;
  /** Since when the oldest job that could run now has waited (its creation or its run_after), if any. */
  oldestRunnableSince(now: number): Promise<number | undefined>;
  /** Jobs finished at or after `since`, by minute (ms since the epoch / 60,000) and final status. */
  finishedPerMinute(since: number): Promise<{ minute: number; status: JobStatus; n: number }[]>;
  /**
   * Up to `limit` finished jobs whose `finished_at` is at or after `since`, in the order they
   * finished (then created); `after` continues from the last one of the page before.
   */
  finishedSince(since: number, limit: number, after?: Pick<JobRow, 'finished_at' | 'seq'>): Promise<JobRow[]>;
  /** A page of job views, newest first, filtered. */
  list(filter: JobFilter, limit: number, cursor?: string): Promise<Page<JobView>>;
  /** A parent's children, in creation order. */
  children(parentId: string): Promise<JobRow[]>;
  /** A parent's children counted by status, plus the percent of the first child in flight. */
  childTally(parentId: string): Promise<ChildTally>;
  /** The parent's first child (in creation order) with `status`, optionally of `type`. */
  firstChild(parentId: string, status: JobStatus, type?: string): Promise<JobRow | undefined>;
  /** The parent's first child of `type`, whatever its status. */
  firstChildOfType(parentId: string, type: string): Promise<JobRow | undefined>;
  /** Views of several rows, in their order (artifacts of finished jobs, children of parents). */
  views(rows: readonly JobRow[]): Promise<JobView[]>;
  view(row: JobRow): Promise<JobView>;
}
