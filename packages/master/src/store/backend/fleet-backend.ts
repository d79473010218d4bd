import type { AccountsBackend } from './accounts-backend.js';
import type { ArtifactsBackend } from './artifacts-backend.js';
import type { JobsBackend } from './jobs-backend.js';
import type { LeasesBackend } from './leases-backend.js';
import type { LimitsBackend } from './limits-backend.js';
import type { MessagesBackend } from './messages-backend.js';
import type { MonitorsBackend } from './monitors-backend.js';
import type { TokensBackend } from './tokens-backend.js';
import type { WorkerCredentialsBackend } from './worker-credentials-backend.js';
import type { WorkersBackend } from './workers-backend.js';

/** A refused report's running total, by event and code. */
export interface RefusedReportTotal {
  event: string;
  code: string;
  n: number;
}

/**
 * The master's durable state, whatever engine holds it. This interface and the docs of its parts
 * are the contract: the conformance suite (packages/master/test/store-conformance/) runs every
 * operation and transition rule against an adapter, and every adapter must pass it.
 *
 * Every method is async, since a networked engine cannot answer synchronously, and each one is
 * atomic on its own. Records come back as plain objects; secrets are sealed at rest.
 */
export interface FleetBackend {
  readonly jobs: JobsBackend;
  readonly accounts: AccountsBackend;
  readonly workers: WorkersBackend;
  readonly tokens: TokensBackend;
  readonly messages: MessagesBackend;
  readonly monitors: MonitorsBackend;
  readonly artifacts: ArtifactsBackend;
  readonly workerCredentials: WorkerCredentialsBackend;
  readonly leases: LeasesBackend;
  readonly limits: LimitsBackend;
  /**
   * Whether a savepoint costs the engine nothing beyond its statements. PostgreSQL: yes. SQLite:
   * no, it copies every page a savepoint's writes touch into its statement journal, so a decision
   * that writes much is cheaper in a transaction of its own (DecisionQueue's `alone`).
   */
  readonly cheapSavepoints: boolean;
  /**
   * Runs `work` as one transaction: every store call it makes (in its own async context, one after
   * another) lands, or none does if it throws. Calls from elsewhere never see half of it: they wait
   * until it ends (SQLite) or see the store as it was before (PostgreSQL). A transaction inside
   * another is a savepoint of it. `work` awaits only store calls: it holds the store (or its
   * connection) while it runs.
   *
   * Inside a transaction a store call is atomic only as part of it: one that throws may leave
   * writes of its own, which the enclosing transaction undoes when it throws in turn. A caller that
   * catches a store call's error and goes on wraps the call in a `transaction` of its own (a
   * savepoint), as the monitors do with the job each creates.
   */
  transaction<T>(work: () => Promise<T>): Promise<T>;
  /**
   * Runs `send` once the transaction the caller is in has committed, in the order asked, and never
   * if it (or the savepoint the caller is in) is undone; outside a transaction, at once. What
   * announces a write goes through here, so nobody hears of a write that did not land.
   */
  afterCommit(send: () => void): void;
  /** Records a refused report (cut to a few KB) and counts it in the running totals by event and code. */
  recordRefusedReport(workerId: string, event: string, code: string, detail: Record<string, unknown>): Promise<void>;
  /** Refused reports ever recorded, by event and code (purged reports included). */
  refusedReportTotals(): Promise<RefusedReportTotal[]>;
  /** Deletes refused reports older than `cutoff` (their totals stay). Returns how many went. */
  purgeRefusedReportsBefore(cutoff: number): Promise<number>;
  /**
   * Deletes finished jobs older than `cutoff`, with their events and artifact records; a parent goes
   * only with its children. Returns how many went and the artifact files the caller removes.
   */
  purgeFinishedJobsBefore(cutoff: number): Promise<{ purged: number; files: string[] }>;
  /** Idempotent. */
  close(): Promise<void>;
}
