import { chromiumSandboxEnabled } from './launch-options.js';
import { defaultMemoryLimitMb } from './memory-limit.js';
import type { AccountBrowserReport, FleetError, Logger, StorageState } from '@fleetwright/shared';
import type { LeaseProvider } from './lease-provider.js';
import type { RemoteBrowsers } from './remote-browsers.js';

/** Share of the memory limit above which idle contexts are hibernated and the worker reports pressure. */
export const MEMORY_HIGH_WATER = 0.9;

export const BROWSER_MODES = ['persistent', 'shared'] as const;
export type BrowserMode = (typeof BROWSER_MODES)[number];

export interface BrowserManagerOptions {
  /** Profiles live in `<dataDir>/profiles/<accountId>`. */
  dataDir: string;
  chromiumPath: string;
  /** @defaultValue true */
  headless?: boolean;
  /** Live contexts at most; the least recently used idle one is closed to make room. @defaultValue 10 */
  maxLiveContexts?: number;
  /** How long a graceful close may take before the browser is killed. @defaultValue 10000 */
  closeTimeoutMs?: number;
  /** The same for a forced reset of a stuck profile ({@link BrowserManager.reset}). @defaultValue 2000 */
  resetTimeoutMs?: number;
  /**
   * Chromium's own sandbox. It is off whatever this says when the worker runs as root (Chromium
   * refuses to start sandboxed as root). @defaultValue true
   */
  chromiumSandbox?: boolean;
  /**
   * The origins that check `X-Fleet-Fence` for an account (its plugin's `fenceOrigins`): only
   * requests to these carry its fencing token. @defaultValue none
   */
  fenceOriginsOf?: (accountId: string) => readonly string[];
  /**
   * Receives the state snapshotted when a context is hibernated or closed (to send to the master),
   * and answers the version it was given, so a later open can tell it from the master's.
   */
  onSnapshot?: (accountId: string, state: StorageState) => Promise<number | void> | number | void;
  /** Profile locks held while a context is open (Redis). Absent: the profile's own fenceToken is used. */
  leases?: LeaseProvider;
  /**
   * Called at once when an account's context closed without being asked (its browser crashed or
   * was killed), with a retryable `BROWSER_CRASHED`: the account's running jobs stop with it.
   */
  onContextCrashed?: (accountId: string, error: FleetError) => void;
  /** Called at once when a lease is lost; the context is closed right after. */
  onLeaseLost?: (accountId: string, error: FleetError) => void;
  /** A context is recycled (snapshot, close, reopen on next use) after this many jobs. @defaultValue 200 */
  recycleAfterJobs?: number;
  /** ... or after this long open, so long-lived browsers do not grow without bound. @defaultValue 6 hours */
  recycleAfterMs?: number;
  /** Browsers that run elsewhere (CDP endpoint or HTTP launcher) instead of local Chromium. */
  remote?: RemoteBrowsers;
  /**
   * Local Chromium as a persistent browser per account (`persistent`), or isolated contexts of a
   * shared browser (`shared`, `FLEET_BROWSER_MODE`): far less memory per account, at the cost of
   * the OS process boundary between accounts and of on-disk data beyond the storage state.
   * @defaultValue `persistent`
   */
  browserMode?: BrowserMode;
  /** In `shared` mode, account contexts per Chromium (`FLEET_CONTEXTS_PER_BROWSER`). @defaultValue 25 */
  contextsPerBrowser?: number;
  /**
   * In `shared` mode, how long a context keeps the blank page its next job will get, opened when
   * its last job's page closed (0: none; each job then waits for its page's renderer to start).
   * @defaultValue 60000
   */
  sparePageIdleMs?: number;
  /** A context idle this long is hibernated, so a quiet worker frees its memory (0: never). @defaultValue 600000 (10 minutes) */
  contextIdleMs?: number;
  /**
   * The memory the browsers may use, PSS over their process trees (`FLEET_MEMORY_LIMIT_MB`). Above
   * {@link MEMORY_HIGH_WATER} of it the least recently used idle contexts are hibernated, and a
   * launch that would cross it waits for room. @defaultValue the cgroup's limit, else 80% of the host's memory
   */
  memoryLimitMb?: number;
  /** How often the browsers' memory is measured. @defaultValue 2000 */
  memoryCheckMs?: number;
  /** How long a launch may wait for memory before it fails with a retryable `NO_CAPACITY`. @defaultValue 120000 */
  memoryWaitMs?: number;
  /** Each change of an account's browser state (starting, running, stopped, error), as it happens. */
  onBrowserState?: (report: AccountBrowserReport) => void;
  logger: Logger;
}

/** The options the browser manager reads with their defaults applied (each default is in its TSDoc above). */
export type ResolvedBrowserManagerOptions = BrowserManagerOptions &
  Required<
    Pick<
      BrowserManagerOptions,
      | 'headless'
      | 'maxLiveContexts'
      | 'closeTimeoutMs'
      | 'resetTimeoutMs'
      | 'recycleAfterJobs'
      | 'recycleAfterMs'
      | 'chromiumSandbox'
      | 'browserMode'
      | 'contextsPerBrowser'
      | 'contextIdleMs'
      | 'sparePageIdleMs'
      | 'memoryLimitMb'
      | 'memoryCheckMs'
      | 'memoryWaitMs'
    >
  >;

/** Applies the defaults once, so no use site repeats them. */
export function resolveBrowserManagerOptions(options: BrowserManagerOptions): ResolvedBrowserManagerOptions {
  return {
    ...options,
    headless: options.headless ?? true,
    maxLiveContexts: options.maxLiveContexts ?? 10,
    closeTimeoutMs: options.closeTimeoutMs ?? 10_000,
    resetTimeoutMs: options.resetTimeoutMs ?? 2000,
    recycleAfterJobs: options.recycleAfterJobs ?? 200,
    recycleAfterMs: options.recycleAfterMs ?? 6 * 3600 * 1000,
    chromiumSandbox: chromiumSandboxEnabled({ uid: process.getuid?.(), configured: options.chromiumSandbox }),
    browserMode: options.browserMode ?? 'persistent',
    contextsPerBrowser: options.contextsPerBrowser ?? 25,
    contextIdleMs: options.contextIdleMs ?? 600_000,
    sparePageIdleMs: options.sparePageIdleMs ?? 60_000,
    memoryLimitMb: options.memoryLimitMb ?? defaultMemoryLimitMb(),
    memoryCheckMs: options.memoryCheckMs ?? 2000,
    memoryWaitMs: options.memoryWaitMs ?? 120_000,
  };
}
