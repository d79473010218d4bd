import type {
  PluginEventName,
  PluginEventReport,
  WorkerHumanNeeded,
  WorkerJobLog,
  WorkerJobProgress,
  WorkerJobResult,
  WorkerStateSnapshot,
} from '@fleetwright/shared';

/** Job events a plugin emits, as they go to the master. */
export type JobEventReport<K extends PluginEventName = PluginEventName> = K extends PluginEventName ? { event: K; payload: PluginEventReport<K> } : never;

/** Where the runner sends what happens; the master connection implements it. */
export interface JobReporter {
  progress(report: WorkerJobProgress): void;
  /** Run.log lines as they are written, for a live tail (best effort: run.log is the record). */
  log?(report: WorkerJobLog): void;
  /** Delivered at least once: retried until the master acknowledges it. */
  result(report: WorkerJobResult): Promise<void>;
  stateSnapshot(snapshot: WorkerStateSnapshot): Promise<void>;
  /** Delivered at least once (the master de-duplicates). */
  jobEvent?(report: JobEventReport): Promise<void>;
  /** The job waits for a person (`askHuman`); delivered at least once. */
  humanNeeded?(report: WorkerHumanNeeded): Promise<void>;
  /** Sends one of the job's files (run.log, a screenshot, trace.zip) of that attempt to the master. */
  uploadArtifact?(jobId: string, name: string, file: string, attempt: number): Promise<void>;
}
