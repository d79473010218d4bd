import type { JobLinks } from '../backend/job-links.js';
import type { BrowserStateSource } from '../backend/records.js';

/** What PostgresBackend.open needs besides the database URL. */
export interface PostgresBackendOptions {
  /** The master's key (FLEET_SECRET_KEY): secrets are sealed with it, as in SQLite. */
  secretKey: Buffer;
  /** The admin token accepted beside the stored ones (FLEET_API_TOKEN). */
  adminToken?: string | undefined;
  /** The fleet token that enrolls workers (FLEET_WORKER_TOKEN). */
  workerToken: string;
  /** Where artifact files go (`<dataDir>/artifacts`): on this master's disk, like SQLite's. */
  artifactsDir: string;
  /** Where job views link to (the HTTP layer's routes, `restJobLinks`). */
  jobLinks: JobLinks;
  /**
   * The live browser states that account views embed (memory only, fed by the workers' reports);
   * a deleted account's is forgotten.
   */
  browsers: BrowserStateSource;
  /**
   * Connections in the pool.
   * @defaultValue 10
   */
  poolSize?: number;
  /**
   * How long a call waits for a connection (a new one, or a free one of a full pool) before it fails.
   * @defaultValue 10000
   */
  connectTimeoutMs?: number;
  /**
   * Told of an error on an idle pooled connection (the server restarted, the network dropped): the
   * pool drops that connection and opens a new one when next needed.
   * @defaultValue ignores it
   */
  onConnectionError?: (error: Error) => void;
}
