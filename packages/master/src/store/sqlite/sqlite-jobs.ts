import type { JobEventView, JobStatus, JobView, Page } from '@fleetwright/shared';
import type { AccountOwnership, ChildTally, DispatchMove, JobFilter, JobPatch, JobRow, NewJob, RunnableJob } from '../backend/records.js';
import type { JobsBackend } from '../backend/jobs-backend.js';
import type { ReportedRun } from '../backend/reported-success.js';
import type { JobStore } from './job-store.js';
import type { ConnectionGate } from './connection-gate.js';

/** JobsBackend over the SQLite store: each call runs when the connection is free (see ConnectionGate). */
export class SqliteJobs implements JobsBackend {
  constructor(
    private readonly store: JobStore,
    private readonly gate: ConnectionGate,
  ) {}

  create(job: NewJob): Promise<{ row: JobRow; created: boolean }> {
    return this.gate.run(() => this.store.create(job));
  }

  row(id: string): Promise<JobRow | undefined> {
    return this.gate.run(() => this.store.row(id));
  }

  require(id: string, field?: string): Promise<JobRow> {
    return this.gate.run(() => this.store.require(id, field));
  }

  requireWithAccount(jobId: string, accountId: string): Promise<{ job: JobRow; account: AccountOwnership | undefined }> {
    return this.gate.run(() => this.store.requireWithAccount(jobId, accountId));
  }

  requireWithAccountSucceeding(
    run: ReportedRun,
    now: number,
    result: string | null,
  ): Promise<{ job: JobRow; account: AccountOwnership | undefined; succeeded: JobRow | undefined }> {
    return this.gate.run(() => this.store.requireWithAccountSucceeding(run, now, result));
  }

  requireWithAccountSucceedingEach(
    reports: readonly { run: ReportedRun; result: string | null }[],
    now: number,
  ): Promise<{ job: JobRow; account: AccountOwnership | undefined; succeeded: JobRow | undefined }[]> {
    return this.gate.run(() => this.store.requireWithAccountSucceedingEach(reports, now));
  }

  transition(job: string | Pick<JobRow, 'id' | 'status'>, to: JobStatus, patch?: JobPatch, event?: Record<string, unknown>): Promise<JobRow> {
    return this.gate.run(() => this.store.transition(job, to, patch, event));
  }

  nextQueuedOfEach(accountIds: readonly string[], now: number): Promise<{ next: RunnableJob[]; dueAt: Map<string, number> }> {
    return this.gate.run(() => {
      const next: RunnableJob[] = [];
      const dueAt = new Map<string, number>();
      for (const id of accountIds) {
        const job = this.store.nextQueuedOf(id, now);
        const at = job ? undefined : this.store.firstQueuedDueAt(id);
        if (job) next.push(job);
        else if (at !== undefined) dueAt.set(id, at);
      }
      return { next, dueAt };
    });
  }

  dispatchMany(moves: readonly DispatchMove[]): Promise<JobRow[]> {
    return this.gate.run(() => this.store.dispatchMany(moves));
  }

  requestCancel(id: string, now?: number): Promise<JobRow> {
    return this.gate.run(() => this.store.requestCancel(id, now));
  }

  setProgress(id: string, percent: number, step: string, message: string | null): Promise<JobRow> {
    return this.gate.run(() => this.store.setProgress(id, percent, step, message));
  }

  addEvent(jobId: string, kind: string, data: Record<string, unknown>): Promise<void> {
    return this.gate.run(() => this.store.addEvent(jobId, kind, data));
  }

  events(jobId: string): Promise<JobEventView[]> {
    return this.gate.run(() => this.store.events(jobId));
  }

  eventPage(jobId: string, limit: number, cursor?: string): Promise<Page<JobEventView>> {
    return this.gate.run(() => this.store.eventPage(jobId, limit, cursor));
  }

  runnable(now: number, limit: number): Promise<RunnableJob[]> {
    return this.gate.run(() => this.store.runnable(now, limit));
  }

  nextQueuedOf(accountId: string, now: number): Promise<RunnableJob | undefined> {
    return this.gate.run(() => this.store.nextQueuedOf(accountId, now));
  }

  firstQueuedDueAt(accountId: string): Promise<number | undefined> {
    return this.gate.run(() => this.store.firstQueuedDueAt(accountId));
  }

  accountsWithQueuedJobs(): Promise<string[]> {
    return this.gate.run(() => this.store.accountsWithQueuedJobs());
  }

  queuedPoolJobs(now: number, limit: number): Promise<RunnableJob[]> {
    return this.gate.run(() => this.store.queuedPoolJobs(now, limit));
  }

  leaseExpiredBefore(cutoff: number): Promise<JobRow[]> {
    return this.gate.run(() => this.store.leaseExpiredBefore(cutoff));
  }

  queuedOf(accountId: string): Promise<JobRow[]> {
    return this.gate.run(() => this.store.queuedOf(accountId));
  }

  activeForWorker(workerId: string): Promise<JobRow[]> {
    return this.gate.run(() => this.store.activeForWorker(workerId));
  }

  activeAccountIds(): Promise<Set<string>> {
    return this.gate.run(() => this.store.activeAccountIds());
  }

  countActiveByWorker(): Promise<Map<string, number>> {
    return this.gate.run(() => this.store.countActiveByWorker());
  }

  inFlight(): Promise<{ accounts: Set<string>; perWorker: Map<string, number> }> {
    return this.gate.run(() => ({ accounts: this.store.activeAccountIds(), perWorker: this.store.countActiveByWorker() }));
  }

  inFlightAndNextOf(
    accountIds: readonly string[],
    now: number,
  ): Promise<{ inFlight: { accounts: Set<string>; perWorker: Map<string, number> }; next: RunnableJob[]; dueAt: Map<string, number> }> {
    return this.gate.run(() => {
      const inFlight = { accounts: this.store.activeAccountIds(), perWorker: this.store.countActiveByWorker() };
      const next: RunnableJob[] = [];
      const dueAt = new Map<string, number>();
      for (const id of accountIds) {
        if (inFlight.accounts.has(id)) continue;
        const job = this.store.nextQueuedOf(id, now);
        const at = job ? undefined : this.store.firstQueuedDueAt(id);
        if (job) next.push(job);
        else if (at !== undefined) dueAt.set(id, at);
      }
      return { inFlight, next, dueAt };
    });
  }

  countByTypeAndStatus(unfinishedOnly: boolean): Promise<{ type: string; status: JobStatus; n: number }[]> {
    return this.gate.run(() => this.store.countByTypeAndStatus(unfinishedOnly));
  }

  countUnfinished(): Promise<Pick<Record<JobStatus, number>, 'queued' | 'dispatched' | 'running'>> {
    return this.gate.run(() => this.store.countUnfinished());
  }

  countByStatus(): Promise<Record<JobStatus, number>> {
    return this.gate.run(() => this.store.countByStatus());
  }

  oldestRunnableSince(now: number): Promise<number | undefined> {
    return this.gate.run(() => this.store.oldestRunnableSince(now));
  }

  finishedPerMinute(since: number): Promise<{ minute: number; status: JobStatus; n: number }[]> {
    return this.gate.run(() => this.store.finishedPerMinute(since));
  }

  createNew(jobs: readonly NewJob[]): Promise<(JobRow | undefined)[]> {
    return this.gate.run(() => this.store.createNew(jobs));
  }

  finishedSince(since: number, limit: number, after?: Pick<JobRow, 'finished_at' | 'seq'>): Promise<JobRow[]> {
    return this.gate.run(() => this.store.finishedSince(since, limit, after));
  }

  list(filter: JobFilter, limit: number, cursor?: string): Promise<Page<JobView>> {
    return this.gate.run(() => this.store.list(filter, limit, cursor));
  }

  children(parentId: string): Promise<JobRow[]> {
    return this.gate.run(() => this.store.children(parentId));
  }

  childTally(parentId: string): Promise<ChildTally> {
    return this.gate.run(() => this.store.childTally(parentId));
  }

  firstChild(parentId: string, status: JobStatus, type?: string): Promise<JobRow | undefined> {
    return this.gate.run(() => this.store.firstChild(parentId, status, type));
  }

  firstChildOfType(parentId: string, type: string): Promise<JobRow | undefined> {
    return this.gate.run(() => this.store.firstChildOfType(parentId, type));
  }

  views(rows: readonly JobRow[]): Promise<JobView[]> {
    return this.gate.run(() => this.store.views(rows));
  }

  view(row: JobRow): Promise<JobView> {
    return this.gate.run(() => this.store.view(row));
  }
}
