import type { AccountBrowserReport, FleetError, Logger, StorageState } from '@fleetwright/shared';
import type { LeaseProvider } from './lease-provider.js';
import type { RemoteBrowsers } from './remote-browsers.js';

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
  /** Receives the state snapshotted when a context is hibernated or closed (to send to the master). */
  onSnapshot?: (accountId: string, state: StorageState) => Promise<void> | void;
  /** Profile locks held while a context is open (Redis). Absent: the profile's own fenceToken is used. */
  leases?: LeaseProvider;
  /** Called at once when a lease is lost; the context is closed right after. */
  onLeaseLost?: (accountId: string, error: FleetError) => void;
  /** A context is recycled (snapshot, close, reopen on next use) after this many jobs. @defaultValue 200 */
  recycleAfterJobs?: number;
  /** ... or after this long open, so long-lived browsers do not grow without bound. @defaultValue 6 hours */
  recycleAfterMs?: number;
  /** Browsers that run elsewhere (CDP endpoint or HTTP launcher) instead of local Chromium. */
  remote?: RemoteBrowsers;
  /** Each change of an account's browser state (starting, running, stopped, error), as it happens. */
  onBrowserState?: (report: AccountBrowserReport) => void;
  logger: Logger;
}
