import type { WorkerJobProgress, WorkerJobResult, WorkerStateSnapshot } from '@fleetwright/shared';

/** Where the runner sends what happens; the master connection implements it. */
export interface JobReporter {
  progress(report: WorkerJobProgress): void;
  /** Delivered at least once: retried until the master acknowledges it. */
  result(report: WorkerJobResult): Promise<void>;
  stateSnapshot(snapshot: WorkerStateSnapshot): Promise<void>;
  /** Sends one of the job's files (run.log, a screenshot, trace.zip) to the master. */
  uploadArtifact?(jobId: string, name: string, file: string): Promise<void>;
}
