import type { Logger } from '@fleetwright/shared';

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
  logger: Logger;
}
