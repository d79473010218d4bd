import type { Logger, RecordVideoMode, TraceMode } from '@fleetwright/shared';
import type { BrowserMode } from './browser/browser-manager-options.js';
import type { PlatformPlugin } from './platforms/plugin.js';

export interface WorkerOptions {
  workerId: string;
  masterUrl: string;
  /** Every master it may connect to, when several share one database (see MasterConnection). @defaultValue [`masterUrl`] */
  masterUrls?: string[];
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
  /**
   * A video of each job attempt's pages, `video.mjpeg` (`FLEET_RECORD_VIDEO`): `off`, `on-failure`
   * or `always`. @defaultValue `off`
   */
  recordVideo?: RecordVideoMode;
  /** Recycle a context after this many jobs. @defaultValue 200 */
  recycleAfterJobs?: number;
  /** Recycle a context after this long open. @defaultValue 6 hours */
  recycleAfterMs?: number;
  /**
   * Chromium's own sandbox (`FLEET_CHROMIUM_SANDBOX`). Off whatever this says when the worker runs
   * as root. @defaultValue true
   */
  chromiumSandbox?: boolean;
  /**
   * How long the worker may go without an answer from the master before it stops its accounts:
   * it aborts their jobs, snapshots and closes their contexts and gives back their profile locks,
   * so the account's next owner is not refused with `LOCK_BUSY` for as long as the partition
   * lasts. It registers again once the master answers, and reopens what the master still gives
   * it. Keep it below the master's `accountFailoverMs` (60 s by default), less the time a close
   * takes (a few seconds): the master moves the accounts then. Never less than two heartbeat
   * intervals plus a second, whatever this says. @defaultValue 45000
   */
  masterLossTimeoutMs?: number;
  /**
   * How long after each registration the worker deletes the profile directories of accounts the
   * master has not (re)assigned to it: accounts moved or deleted while it was down. The master
   * sends every assignment right after a registration, so this is a margin, not a wait for
   * anything. @defaultValue 30000
   */
  profilePruneDelayMs?: number;
  /**
   * Local Chromium as a persistent browser per account, or isolated contexts of a shared browser
   * (`FLEET_BROWSER_MODE`). @defaultValue `persistent`
   */
  browserMode?: BrowserMode;
  /** In `shared` mode, account contexts per Chromium (`FLEET_CONTEXTS_PER_BROWSER`). @defaultValue 25 */
  contextsPerBrowser?: number;
  /** In `shared` mode, how long a context keeps its next job's page ready after its last job (`FLEET_SPARE_PAGE_IDLE_MS`; 0: none). @defaultValue 60000 */
  sparePageIdleMs?: number;
  /** A context idle this long is hibernated (`FLEET_CONTEXT_IDLE_MS`; 0: never). @defaultValue 600000 (10 minutes) */
  contextIdleMs?: number;
  /**
   * The memory the worker's browsers may use, PSS over their process trees (`FLEET_MEMORY_LIMIT_MB`).
   * @defaultValue the cgroup's limit, else 80% of the host's memory
   */
  memoryLimitMb?: number;
  /** Remote browsers instead of local Chromium: a CDP endpoint, or a launcher per profile. */
  remoteBrowser?: { cdpUrl?: string | undefined; launcherUrl?: string | undefined } | undefined;
  logger: Logger;
}

/** The options a worker reads with their defaults applied (each default is in its TSDoc above). */
export type ResolvedWorkerOptions = WorkerOptions &
  Required<
    Pick<
      WorkerOptions,
      | 'headless'
      | 'maxAccounts'
      | 'maxConcurrency'
      | 'maxLiveContexts'
      | 'heartbeatIntervalMs'
      | 'drainTimeoutMs'
      | 'redisPrefix'
      | 'masterLossTimeoutMs'
      | 'profilePruneDelayMs'
    >
  >;

/** Applies the defaults once, so no use site repeats them. */
export function resolveWorkerOptions(options: WorkerOptions): ResolvedWorkerOptions {
  return {
    ...options,
    headless: options.headless ?? true,
    maxAccounts: options.maxAccounts ?? 20,
    maxConcurrency: options.maxConcurrency ?? 4,
    maxLiveContexts: options.maxLiveContexts ?? 10,
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? 10_000,
    drainTimeoutMs: options.drainTimeoutMs ?? 30_000,
    redisPrefix: options.redisPrefix ?? 'fleet:',
    masterLossTimeoutMs: options.masterLossTimeoutMs ?? 45_000,
    profilePruneDelayMs: options.profilePruneDelayMs ?? 30_000,
  };
}
