import type { Logger, TrustProxy } from '@fleetwright/shared';
import type { WorkerAuth } from './http/worker-auth.js';
import type { DbSynchronous } from './store/sqlite/database.js';

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
  /** The listen address (FLEET_BIND). @defaultValue all interfaces */
  host?: string | undefined;
  /** Express's `trust proxy` (FLEET_TRUST_PROXY). @defaultValue false */
  trustProxy?: TrustProxy | undefined;
  /** When set, `GET /metrics` needs `Authorization: Bearer <it>` (FLEET_METRICS_TOKEN). @defaultValue none: public */
  metricsToken?: string | undefined;
  /** Checks a worker's credential on artifact uploads. @defaultValue the fleet token, for any worker id */
  workerAuth?: WorkerAuth | undefined;
  /** The largest artifact a worker may upload. @defaultValue 64 MB */
  maxArtifactBytes?: number | undefined;
  /** The interval workers heartbeat at. @defaultValue 10000 */
  heartbeatIntervalMs?: number;
  /** Scheduler timer. @defaultValue 1000 */
  tickIntervalMs?: number;
  /** Backoff base for retries. @defaultValue 1000 */
  retryBaseMs?: number;
  /** How long a worker that fell silent keeps its jobs and accounts before they requeue and move. @defaultValue 60000 */
  accountFailoverMs?: number;
  /** The same for a worker whose connection closed (most likely dead); never longer than `accountFailoverMs`. @defaultValue 5000 */
  closedConnectionFailoverMs?: number;
  /** Finished jobs, their events and artifacts older than this are purged. @defaultValue 7 days */
  retentionMs?: number;
  /** Built dashboard served at `/`. @defaultValue none: a plain status page */
  dashboardDir?: string | undefined;
  /** Origins besides the master's own allowed to open cookie-authenticated `/client` sockets. @defaultValue [] */
  allowedOrigins?: readonly string[];
  /** A `/client` socket with more unsent packets than this is cut as too slow. @defaultValue 5000 */
  maxQueuedClientPackets?: number;
  /**
   * `FLEET_DATABASE_URL`: keep the fleet's state in this PostgreSQL database instead of SQLite in
   * `dataDir` (artifacts and logs stay in `dataDir`). @defaultValue SQLite
   */
  databaseUrl?: string;
  /**
   * `FLEET_REDIS_URL`, with `databaseUrl`: the Redis the masters sharing that database pass their
   * Socket.IO events through. @defaultValue none: each master's clients hear only its own events
   */
  redisUrl?: string;
  /**
   * `FLEET_MASTER_PUBLIC_URL`: where the other masters sharing the database reach this one (they
   * forward writes to the leader). @defaultValue http://<host name or bind address>:<port>
   */
  publicUrl?: string;
  /** This master's name among those sharing one PostgreSQL database (`FLEET_MASTER_ID`). @defaultValue host-pid-random */
  masterId?: string;
  /**
   * How long the leader lease lasts without renewal (`FLEET_LEADER_LEASE_MS`): when the leader dies,
   * another master takes over within about this. PostgreSQL only. @defaultValue 6000
   */
  leaderLeaseMs?: number;
  /** `full`: every commit is synced to disk, so an OS crash loses nothing acknowledged (`FLEET_DB_SYNCHRONOUS`). @defaultValue `normal` */
  dbSynchronous?: DbSynchronous;
  logger: Logger;
}
