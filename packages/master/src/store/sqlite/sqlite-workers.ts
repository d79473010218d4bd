import type { Capability, WorkerStats, WorkerStatus, WorkerView } from '@fleetwright/shared';
import type { WorkerCapacity, WorkerRegistration, WorkerRow, OwnedAccount } from '../backend/records.js';
import type { WorkersBackend } from '../backend/workers-backend.js';
import type { WorkerStore } from './worker-store.js';
import type { ConnectionGate } from './connection-gate.js';

/** WorkersBackend over the SQLite store: each call runs when the connection is free (see ConnectionGate). */
export class SqliteWorkers implements WorkersBackend {
  constructor(
    private readonly store: WorkerStore,
    private readonly gate: ConnectionGate,
  ) {}

  capabilitiesFor(platform: string): Promise<Capability[]> {
    return this.gate.run(() => this.store.capabilitiesFor(platform));
  }

  knownPlatforms(): Promise<string[]> {
    return this.gate.run(() => this.store.knownPlatforms());
  }

  upsert(reg: WorkerRegistration): Promise<WorkerRow> {
    return this.gate.run(() => this.store.upsert(reg));
  }

  row(id: string): Promise<WorkerRow | undefined> {
    return this.gate.run(() => this.store.row(id));
  }

  require(id: string): Promise<WorkerRow> {
    return this.gate.run(() => this.store.require(id));
  }

  capacity(id: string): Promise<WorkerCapacity | undefined> {
    return this.gate.run(() => this.store.capacity(id));
  }

  all(): Promise<WorkerRow[]> {
    return this.gate.run(() => this.store.all());
  }

  heartbeatMany(beats: readonly { id: string; stats: WorkerStats; at: number }[]): Promise<{ row: WorkerRow; owned: OwnedAccount[] }[]> {
    return this.gate.run(() => this.store.heartbeatMany(beats));
  }

  heartbeat(id: string, stats: WorkerStats): Promise<WorkerRow | undefined> {
    return this.gate.run(() => this.store.heartbeat(id, stats));
  }

  setStatus(id: string, status: WorkerStatus): Promise<void> {
    return this.gate.run(() => this.store.setStatus(id, status));
  }

  markAllOffline(): Promise<void> {
    return this.gate.run(() => this.store.markAllOffline());
  }

  countByStatus(): Promise<Record<WorkerStatus, number>> {
    return this.gate.run(() => this.store.countByStatus());
  }

  capabilitiesOf(row: WorkerRow): Capability[] {
    return this.store.capabilitiesOf(row);
  }

  view(row: WorkerRow, accounts: number): WorkerView {
    return this.store.view(row, accounts);
  }
}
