/** Lines kept per job: enough for a tail, bounded whatever a plugin writes. */
const LINES_PER_JOB = 300;
/** Jobs kept at once; the oldest goes first (normally each goes when its run.log arrives). */
const JOBS_KEPT = 500;

/**
 * The run.log lines of running jobs as their workers stream them, for a live tail. Memory only:
 * the uploaded run.log is the record, and a job's lines are dropped once it is stored.
 */
export class LiveLogs {
  private readonly byJob = new Map<string, string[]>();

  append(jobId: string, lines: string[]): void {
    let kept = this.byJob.get(jobId);
    if (!kept) {
      kept = [];
      this.byJob.set(jobId, kept);
      if (this.byJob.size > JOBS_KEPT) this.byJob.delete(this.byJob.keys().next().value!);
    }
    kept.push(...lines);
    if (kept.length > LINES_PER_JOB) kept.splice(0, kept.length - LINES_PER_JOB);
  }

  lines(jobId: string): string[] {
    return this.byJob.get(jobId) ?? [];
  }

  /** The job's run.log is stored: the artifact serves it from now on. */
  drop(jobId: string): void {
    this.byJob.delete(jobId);
  }
}
