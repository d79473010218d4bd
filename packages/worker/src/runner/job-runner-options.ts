import type { Logger, TraceMode } from '@fleetwright/shared';

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
  logger: Logger;
}
