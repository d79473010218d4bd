import type { Logger } from '@fleetwright/shared';

export interface JobRunnerOptions {
  /** Jobs at once across accounts (one per account always). @defaultValue 4 */
  maxConcurrency?: number;
  /** run.log and artifacts go to `<dataDir>/jobs/<jobId>/`. */
  dataDir: string;
  /** Default deadline of a single page operation. @defaultValue 30000 */
  actionTimeoutMs?: number;
  /** Record a Playwright trace per job and keep it (trace.zip) when the job fails. @defaultValue true */
  traceOnFailure?: boolean;
  logger: Logger;
}
