import type { Capability, WorkerStats, WorkerStatus, WorkerView } from '@fleetwright/shared';
import type { OwnedAccount, WorkerCapacity, WorkerRegistration, WorkerRow } from './records.js';

/** Registered workers, their status, their last heartbeat and the capabilities they declared. */
export interface WorkersBackend {
  /** Every capability declared for a platform by any worker that ever registered. */
  capabilitiesFor(platform: string): Promise<Capability[]>;
  /** Every platform any worker ever declared. */
  knownPlatforms(): Promise<string[]>;
  /** Registers (or re-registers) a worker, online, or draining when it says so. */
  upsert(reg: WorkerRegistration): Promise<WorkerRow>;
  row(id: string): Promise<WorkerRow | undefined>;
  /** The worker, or WORKER_NOT_FOUND. */
  require(id: string): Promise<WorkerRow>;
  capacity(id: string): Promise<WorkerCapacity | undefined>;
  all(): Promise<WorkerRow[]>;
  /** Records a heartbeat; returns the worker's row as it now stands (undefined for an unknown worker). */
  heartbeat(id: string, stats: WorkerStats): Promise<WorkerRow | undefined>;
  /**
   * Records several heartbeats, each at its own time, in one write; returns the rows of the workers
   * that exist, each with the accounts it owns now and their epochs (what its heartbeat's browser
   * list is judged by), read in the same statement.
   */
  heartbeatMany(beats: readonly { id: string; stats: WorkerStats; at: number }[]): Promise<{ row: WorkerRow; owned: OwnedAccount[] }[]>;
  setStatus(id: string, status: WorkerStatus): Promise<void>;
  /** Every worker offline (a master starting has no connections). */
  markAllOffline(): Promise<void>;
  /** Workers by status (each status present, 0 when none). */
  countByStatus(): Promise<Record<WorkerStatus, number>>;
  capabilitiesOf(row: WorkerRow): Capability[];
  view(row: WorkerRow, accounts: number): WorkerView;
}
