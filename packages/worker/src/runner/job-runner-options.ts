import type { Logger, RecordVideoMode, TraceMode } from '@fleetwright/shared';

export interface JobRunnerOptions {
  /** Jobs at once across accounts (one per account always). @defaultValue 4 */
  maxConcurrency?: number;
  /** run.log and artifacts go to `<dataDir>/jobs/<jobId>/`. */
  dataDir: string;
  /** Default deadline of a single page operation. @defaultValue 30000 */
  actionTimeoutMs?: number;
  /** The Playwright trace each attempt records, kept (trace.zip) when it fails. @defaultValue `full-on-retry` */
  trace?: TraceMode;
  /** @deprecated `false` is `trace: 'off'`. */
  traceOnFailure?: boolean;
  /** A video of each attempt's pages, kept as `video.mjpeg`: `off`, `on-failure` or `always`. @defaultValue `off` */
  recordVideo?: RecordVideoMode;
  logger: Logger;
}

/** The runner's options with every default applied, and the deprecated `traceOnFailure` folded into `trace`. */
export interface ResolvedJobRunnerOptions {
  maxConcurrency: number;
  dataDir: string;
  actionTimeoutMs: number;
  /** Read by each attempt as it starts. */
  trace: TraceMode;
  recordVideo: RecordVideoMode;
  logger: Logger;
}

/** The one place the defaults of {@link JobRunnerOptions} are applied. */
export function resolveJobRunnerOptions(options: JobRunnerOptions): ResolvedJobRunnerOptions {
  return {
    maxConcurrency: options.maxConcurrency ?? 4,
    dataDir: options.dataDir,
    actionTimeoutMs: options.actionTimeoutMs ?? 30_000,
    trace: options.traceOnFailure === false ? 'off' : (options.trace ?? 'full-on-retry'),
    recordVideo: options.recordVideo ?? 'off',
    logger: options.logger,
  };
}
