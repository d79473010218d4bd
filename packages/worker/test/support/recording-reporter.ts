import type { WorkerJobLog, WorkerJobProgress, WorkerJobResult, WorkerStateSnapshot } from '@fleetwright/shared';
import type { JobReporter } from '../../dist/runner/job-reporter.js';
import { waitFor } from './wait-for.js';

/** The runner's boundary to the master, recorded: what a master would have received, in order. */
export class RecordingReporter implements JobReporter {
  readonly progressReports: WorkerJobProgress[] = [];
  readonly results: (WorkerJobResult & { at: number })[] = [];
  readonly snapshots: WorkerStateSnapshot[] = [];
  /** Live run.log batches, as `worker:job:log` would carry them. */
  readonly logReports: WorkerJobLog[] = [];

  progress(report: WorkerJobProgress): void {
    this.progressReports.push(report);
  }

  log(report: WorkerJobLog): void {
    this.logReports.push(report);
  }

  async result(report: WorkerJobResult): Promise<void> {
    this.results.push({ ...report, at: Date.now() });
  }

  async stateSnapshot(snapshot: WorkerStateSnapshot): Promise<void> {
    this.snapshots.push(snapshot);
  }

  progressOf(jobId: string): WorkerJobProgress[] {
    return this.progressReports.filter((p) => p.jobId === jobId);
  }

  /** The job's result, waiting for it up to `timeoutMs`. */
  resultOf(jobId: string, timeoutMs = 20_000): Promise<WorkerJobResult & { at: number }> {
    return waitFor(`the result of job ${jobId}`, () => this.results.find((r) => r.jobId === jobId), timeoutMs);
  }
}
