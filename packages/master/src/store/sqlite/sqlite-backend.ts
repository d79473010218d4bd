import { ArtifactStore } from './artifact-store.js';
import type { FleetBackend, RefusedReportTotal } from '../backend/fleet-backend.js';
import type { FleetStore } from './fleet-store.js';
import { WorkerCredentialStore } from './worker-credential-store.js';
import { ConnectionGate } from './connection-gate.js';
import { SqliteAccounts } from './sqlite-accounts.js';
import { SqliteArtifacts } from './sqlite-artifacts.js';
import { SqliteJobs } from './sqlite-jobs.js';
import { SqliteMessages } from './sqlite-messages.js';
import { SqliteMonitors } from './sqlite-monitors.js';
import { SqliteTokens } from './sqlite-tokens.js';
import { SqliteWorkerCredentials } from './sqlite-worker-credentials.js';
import { SqliteLeases } from './sqlite-leases.js';
import { LeaseStore } from './lease-store.js';
import { SqliteWorkers } from './sqlite-workers.js';
import { LimitStore } from './limit-store.js';
import { SqliteLimits } from './sqlite-limits.js';

export interface SqliteBackendOptions {
  /** Where artifact files go (`<dataDir>/artifacts`). */
  artifactsDir: string;
  /** The fleet token that enrolls workers (FLEET_WORKER_TOKEN). */
  workerToken: string;
}

/** The embedded backend: one SQLite file (WAL), shared by async callers through a ConnectionGate. */
export class SqliteBackend implements FleetBackend {
  readonly jobs: SqliteJobs;
  readonly accounts: SqliteAccounts;
  readonly workers: SqliteWorkers;
  readonly tokens: SqliteTokens;
  readonly messages: SqliteMessages;
  readonly monitors: SqliteMonitors;
  readonly artifacts: SqliteArtifacts;
  readonly workerCredentials: SqliteWorkerCredentials;
  readonly leases: SqliteLeases;
  readonly cheapSavepoints = false;
  readonly limits: SqliteLimits;
  private readonly gate: ConnectionGate;

  /** `store`: the synchronous SQLite store the backend runs on (it closes it). */
  constructor(
    private readonly store: FleetStore,
    options: SqliteBackendOptions,
  ) {
    const gate = (this.gate = new ConnectionGate(store.db));
    this.jobs = new SqliteJobs(store.jobs, gate);
    this.accounts = new SqliteAccounts(store.accounts, gate);
    this.workers = new SqliteWorkers(store.workers, gate);
    this.tokens = new SqliteTokens(store.tokens, gate);
    this.messages = new SqliteMessages(store.messages, gate);
    this.monitors = new SqliteMonitors(store.monitors, gate);
    this.artifacts = new SqliteArtifacts(new ArtifactStore(store.db, options.artifactsDir), gate);
    this.workerCredentials = new SqliteWorkerCredentials(new WorkerCredentialStore(store.db, options.workerToken), gate);
    this.leases = new SqliteLeases(new LeaseStore(store.db), gate);
    this.limits = new SqliteLimits(new LimitStore(store.db), gate);
  }

  transaction<T>(work: () => Promise<T>): Promise<T> {
    return this.gate.transaction(work);
  }

  afterCommit(send: () => void): void {
    this.gate.afterCommit(send);
  }

  recordRefusedReport(workerId: string, event: string, code: string, detail: Record<string, unknown>): Promise<void> {
    return this.gate.run(() => this.store.recordRefusedReport(workerId, event, code, detail));
  }

  refusedReportTotals(): Promise<RefusedReportTotal[]> {
    return this.gate.run(() => this.store.refusedReportTotals());
  }

  purgeRefusedReportsBefore(cutoff: number): Promise<number> {
    return this.gate.run(() => this.store.purgeRefusedReportsBefore(cutoff));
  }

  purgeFinishedJobsBefore(cutoff: number): Promise<{ purged: number; files: string[] }> {
    return this.gate.run(() => this.store.purgeFinishedJobsBefore(cutoff));
  }

  close(): Promise<void> {
    return this.store.close();
  }
}
