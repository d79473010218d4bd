import type { Logger } from '@fleetwright/shared';

export interface MasterOptions {
  /** Where `master.db` lives. */
  dataDir: string;
  /** 32-byte key that seals secrets at rest. */
  secretKey: Buffer;
  /** The fleet token workers present. */
  workerToken: string;
  /** Admin API token accepted beside the stored ones. */
  apiToken?: string | undefined;
  /** @defaultValue 3000; 0 picks a free port (tests). */
  port?: number;
  /** @defaultValue all interfaces */
  host?: string;
  /** The interval workers heartbeat at. @defaultValue 10000 */
  heartbeatIntervalMs?: number;
  /** Scheduler timer. @defaultValue 1000 */
  tickIntervalMs?: number;
  /** Backoff base for retries. @defaultValue 1000 */
  retryBaseMs?: number;
  /** How long an offline worker keeps its accounts before they move. @defaultValue 60000 */
  accountFailoverMs?: number;
  /** Finished jobs, their events and artifacts older than this are purged. @defaultValue 7 days */
  retentionMs?: number;
  /** Built dashboard served at `/`. @defaultValue none: a plain status page */
  dashboardDir?: string | undefined;
  /** Origins besides the master's own allowed to open cookie-authenticated `/client` sockets. @defaultValue [] */
  allowedOrigins?: readonly string[];
  logger: Logger;
}
