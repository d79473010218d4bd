import type { Logger, TraceMode } from '@fleetwright/shared';
import type { PlatformPlugin } from './platforms/plugin.js';

export interface WorkerOptions {
  workerId: string;
  masterUrl: string;
  /** This worker's credential (or, for an id never enrolled, the fleet token). */
  token: string;
  /** A new credential when the master refuses the current one (see MasterConnection). */
  renewToken?: () => Promise<string | undefined>;
  /** Profiles, run logs and artifacts live under it. */
  dataDir: string;
  chromiumPath: string;
  plugins: PlatformPlugin[];
  /** @defaultValue true */
  headless?: boolean;
  /** @defaultValue 20 */
  maxAccounts?: number;
  /** @defaultValue 4 */
  maxConcurrency?: number;
  /** @defaultValue 10 */
  maxLiveContexts?: number;
  /** Until the master says otherwise at register. @defaultValue 10000 */
  heartbeatIntervalMs?: number;
  /** How long running jobs may take to finish on close before they are handed back. @defaultValue 30000 */
  drainTimeoutMs?: number;
  /** Redis for profile locks across hosts (`FLEET_REDIS_URL`). Absent: the master's epochs fence. */
  redisUrl?: string | undefined;
  /** Key prefix in Redis, so fleets (and tests) sharing one never meet. @defaultValue `fleet:` */
  redisPrefix?: string;
  /**
   * The Playwright trace each job attempt records, kept (trace.zip) when it fails (`FLEET_TRACE`):
   * `full-on-retry` (actions, call logs, console; DOM snapshots and network from the first retry
   * on), `full` (snapshots on every attempt) or `off`. @defaultValue `full-on-retry`
   */
  trace?: TraceMode;
  /** @deprecated `false` is `trace: 'off'`. */
  traceOnFailure?: boolean;
  /** Recycle a context after this many jobs. @defaultValue 200 */
  recycleAfterJobs?: number;
  /** Recycle a context after this long open. @defaultValue 6 hours */
  recycleAfterMs?: number;
  /** Remote browsers instead of local Chromium: a CDP endpoint, or a launcher per profile. */
  remoteBrowser?: { cdpUrl?: string | undefined; launcherUrl?: string | undefined } | undefined;
  logger: Logger;
}
