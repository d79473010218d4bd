import pg from 'pg';
import type { FleetBackend, RefusedReportTotal } from '../backend/fleet-backend.js';
import { SecretBox } from '../secret-box.js';
import { refusedReportDetail } from '../backend/refused-report-detail.js';
import { ArtifactFiles } from '../artifact-files.js';
import { ClientScope } from './client-scope.js';
import { migratePostgres } from './migrations.js';
import type { PostgresBackendOptions } from './postgres-backend-options.js';
import { PostgresAccounts } from './postgres-accounts.js';
import { PostgresArtifacts } from './postgres-artifacts.js';
import { PostgresJobs } from './postgres-jobs.js';
import { PostgresMessages } from './postgres-messages.js';
import { PostgresMonitors } from './postgres-monitors.js';
import { PostgresTokens } from './postgres-tokens.js';
import { PostgresWorkerCredentials } from './postgres-worker-credentials.js';
import { PostgresWorkers } from './postgres-workers.js';
import { PostgresLeases } from './postgres-leases.js';
import { PostgresLimits } from './postgres-limits.js';

/** A master's transactions wait on nothing but the database between statements: one silent this long lost its master. */
const IDLE_IN_TRANSACTION_TIMEOUT_MS = 5_000;

const INT8_OID = 20;

/**
 * BIGINT columns (times in ms, sequence numbers, counts) as JS numbers, as SQLite gives them: they
 * stay far below 2^53. Set per pool, not on pg's global parsers.
 */
const NUMBERS_AS_NUMBERS: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

/**
 * The networked backend: PostgreSQL through a pool of connections (node-postgres). Every call
 * takes a pooled connection, except inside `transaction`, whose calls all run on its own one.
 * Several masters may share the database: the decisions that must not be taken twice are single
 * conditional statements or row locks, not this process's order of calls.
 */
export class PostgresBackend implements FleetBackend {
  readonly jobs: PostgresJobs;
  readonly accounts: PostgresAccounts;
  readonly workers: PostgresWorkers;
  readonly tokens: PostgresTokens;
  readonly messages: PostgresMessages;
  readonly monitors: PostgresMonitors;
  readonly artifacts: PostgresArtifacts;
  readonly workerCredentials: PostgresWorkerCredentials;
  readonly leases: PostgresLeases;
  readonly cheapSavepoints = true;
  readonly limits: PostgresLimits;
  private readonly scope: ClientScope;
  private closed: Promise<void> | undefined;
  private migrated: Promise<void> | undefined;

  private constructor(
    private readonly pool: pg.Pool,
    options: PostgresBackendOptions,
  ) {
    const scope = (this.scope = new ClientScope(pool));
    this.jobs = new PostgresJobs(scope, options.jobLinks);
    this.accounts = new PostgresAccounts(scope, new SecretBox(options.secretKey), options.browsers);
    this.workers = new PostgresWorkers(scope);
    this.tokens = new PostgresTokens(scope, options.adminToken);
    this.messages = new PostgresMessages(scope);
    this.monitors = new PostgresMonitors(scope);
    this.artifacts = new PostgresArtifacts(scope, new ArtifactFiles(options.artifactsDir));
    this.workerCredentials = new PostgresWorkerCredentials(scope, options.workerToken);
    this.leases = new PostgresLeases(scope);
    this.limits = new PostgresLimits(scope);
  }

  /** Connects to `url` (postgres://…), applies pending migrations, and returns the backend. */
  static async open(url: string, options: PostgresBackendOptions): Promise<PostgresBackend> {
    const backend = PostgresBackend.connect(url, options);
    try {
      await backend.migrate();
      return backend;
    } catch (error) {
      await backend.close();
      throw error;
    }
  }

  /**
   * The backend on `url` before its migrations ran (a pool connects only when first used): for a
   * caller that must build on it now and can `migrate()` before the first call.
   */
  static connect(url: string, options: PostgresBackendOptions): PostgresBackend {
    const connection: pg.ClientConfig = {
      connectionString: url,
      application_name: 'fleetwright-master',
      connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
      // A peer that vanished (a partition, a dead host) is noticed by TCP, not only at the next query.
      keepAlive: true,
      // A master cut off inside a transaction would leave it open on the server, its locks held (the
      // leader lease's among them, barring the next leader) until TCP gives up, hours later.
      idle_in_transaction_session_timeout: IDLE_IN_TRANSACTION_TIMEOUT_MS,
    };
    // Pipelined: a transaction's control statements travel with the statement after them (ClientScope).
    const pool = new pg.Pool({ ...connection, max: options.poolSize ?? 10, types: NUMBERS_AS_NUMBERS, pipeline: true });
    // Unhandled, an idle connection's error would end the process; the pool replaces the connection.
    const onConnectionError = (error: Error): void => options.onConnectionError?.(error);
    pool.on('error', onConnectionError);
    return new PostgresBackend(pool, options);
  }

  /** Applies the pending migrations, once however often it is called. */
  migrate(): Promise<void> {
    this.migrated ??= migratePostgres(this.pool).then(() => undefined);
    return this.migrated;
  }

  transaction<T>(work: () => Promise<T>): Promise<T> {
    return this.scope.transaction(work);
  }

  afterCommit(send: () => void): void {
    this.scope.afterCommit(send);
  }

  /** The report cut to a few KB (see refusedReportDetail) and its running total, in one statement. */
  async recordRefusedReport(workerId: string, event: string, code: string, detail: Record<string, unknown>): Promise<void> {
    await this.scope.changes(
      `WITH report AS (
         INSERT INTO refused_reports (at, worker_id, event, code, detail) VALUES ($1, $2, $3, $4, $5)
       )
       INSERT INTO refused_report_totals (event, code, n) VALUES ($3, $4, 1) ON CONFLICT (event, code) DO UPDATE SET n = refused_report_totals.n + 1`,
      [Date.now(), workerId, event, code, refusedReportDetail(detail)],
    );
  }

  refusedReportTotals(): Promise<RefusedReportTotal[]> {
    return this.scope.rows<RefusedReportTotal>('SELECT event, code, n FROM refused_report_totals ORDER BY event, code');
  }

  purgeRefusedReportsBefore(cutoff: number): Promise<number> {
    return this.scope.changes('DELETE FROM refused_reports WHERE at < $1', [cutoff]);
  }

  async purgeFinishedJobsBefore(cutoff: number): Promise<{ purged: number; files: string[] }> {
    return this.transaction(async () => {
      // Old and finished, and neither a parent of a job that stays nor a child of a parent that stays.
      const old = `SELECT id FROM jobs WHERE finished_at IS NOT NULL AND finished_at < $1
        AND id NOT IN (SELECT parent_id FROM jobs WHERE parent_id IS NOT NULL AND (finished_at IS NULL OR finished_at >= $1))
        AND (parent_id IS NULL OR parent_id NOT IN (SELECT id FROM jobs WHERE finished_at IS NULL OR finished_at >= $1))`;
      const files = (await this.scope.rows<{ path: string }>(`SELECT path FROM artifacts WHERE job_id IN (${old})`, [cutoff])).map((r) => r.path);
      await this.scope.changes(`UPDATE monitors SET last_job_id = NULL WHERE last_job_id IN (${old})`, [cutoff]);
      // Children before parents, so no row is left pointing at a deleted parent.
      const children = await this.scope.changes(`DELETE FROM jobs WHERE parent_id IS NOT NULL AND id IN (${old})`, [cutoff]);
      const purged = children + (await this.scope.changes(`DELETE FROM jobs WHERE id IN (${old})`, [cutoff]));
      return { purged, files };
    });
  }

  /** Idempotent: ends the pool once every connection is back. */
  close(): Promise<void> {
    this.closed ??= this.pool.end();
    return this.closed;
  }
}
