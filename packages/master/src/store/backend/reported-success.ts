import type { AccountOwnership, JobPatch, JobRow } from './records.js';

/** A worker's report of a run: whose it is, of which account, at which attempt, under which epoch. */
export interface ReportedRun {
  jobId: string;
  accountId: string;
  workerId: string;
  attempt: number;
  epoch: number;
}

/**
 * The run reported is the job's current one: dispatched to or running on that worker, for that
 * account, at that attempt and epoch, and the account is still at that epoch. A success reported
 * of such a run is applied as it is (JobReports' checks all pass); any other report is judged by
 * them. PostgresJobs.requireWithAccountSucceeding says the same in SQL.
 */
export function reportedRunIsCurrent(job: JobRow, account: AccountOwnership | undefined, run: ReportedRun): boolean {
  return (
    (job.status === 'dispatched' || job.status === 'running') &&
    job.worker_id === run.workerId &&
    job.account_id === run.accountId &&
    job.attempt === run.attempt &&
    job.epoch === run.epoch &&
    account?.epoch === run.epoch
  );
}

/** A job's result as the store keeps it: JSON text, or null for none. */
export function resultText(result: unknown): string | null {
  return result === undefined ? null : JSON.stringify(result);
}

/** What a job that succeeded at `now` with `result` (JSON text) records. */
export function succeededPatch(job: Pick<JobRow, 'started_at'>, now: number, result: string | null): JobPatch {
  return {
    finished_at: now,
    started_at: job.started_at ?? now,
    result,
    error_code: null,
    error_message: null,
    progress_percent: 100,
    progress_step: 'done',
  };
}
