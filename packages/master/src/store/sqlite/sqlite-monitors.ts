import type { MonitorView, Page } from '@fleetwright/shared';
import type { MonitorRow } from '../backend/records.js';
import type { MonitorsBackend } from '../backend/monitors-backend.js';
import type { MonitorStore } from './monitor-store.js';
import type { ConnectionGate } from './connection-gate.js';

/** MonitorsBackend over the SQLite store: each call runs when the connection is free (see ConnectionGate). */
export class SqliteMonitors implements MonitorsBackend {
  constructor(
    private readonly store: MonitorStore,
    private readonly gate: ConnectionGate,
  ) {}

  create(input: { accountId: string; type: string; payload: Record<string, unknown>; minIntervalMs: number; maxIntervalMs: number }): Promise<MonitorRow> {
    return this.gate.run(() => this.store.create(input));
  }

  row(id: string): Promise<MonitorRow | undefined> {
    return this.gate.run(() => this.store.row(id));
  }

  require(id: string): Promise<MonitorRow> {
    return this.gate.run(() => this.store.require(id));
  }

  due(now: number): Promise<MonitorRow[]> {
    return this.gate.run(() => this.store.due(now));
  }

  started(id: string, jobId: string): Promise<void> {
    return this.gate.run(() => this.store.started(id, jobId));
  }

  scheduleNext(id: string, at: number): Promise<void> {
    return this.gate.run(() => this.store.scheduleNext(id, at));
  }

  setPaused(id: string, paused: boolean): Promise<MonitorRow> {
    return this.gate.run(() => this.store.setPaused(id, paused));
  }

  deleteOfAccount(accountId: string): Promise<void> {
    return this.gate.run(() => this.store.deleteOfAccount(accountId));
  }

  delete(id: string): Promise<void> {
    return this.gate.run(() => this.store.delete(id));
  }

  list(accountId: string | undefined, limit: number, cursor?: string): Promise<Page<MonitorView>> {
    return this.gate.run(() => this.store.list(accountId, limit, cursor));
  }

  view(row: MonitorRow): MonitorView {
    return this.store.view(row);
  }
}
