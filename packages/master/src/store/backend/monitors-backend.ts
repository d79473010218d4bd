import type { MonitorView, Page } from '@fleetwright/shared';
import type { MonitorRow } from './records.js';

/** Monitors: jobs that repeat for an account at a jittered interval. */
export interface MonitorsBackend {
  /** A new monitor, due at once. */
  create(input: { accountId: string; type: string; payload: Record<string, unknown>; minIntervalMs: number; maxIntervalMs: number }): Promise<MonitorRow>;
  row(id: string): Promise<MonitorRow | undefined>;
  /** The monitor, or NOT_FOUND. */
  require(id: string): Promise<MonitorRow>;
  /** Unpaused monitors due at `now`. */
  due(now: number): Promise<MonitorRow[]>;
  /** The monitor started `jobId`: counted, and remembered as its last job. */
  started(id: string, jobId: string): Promise<void>;
  scheduleNext(id: string, at: number): Promise<void>;
  setPaused(id: string, paused: boolean): Promise<MonitorRow>;
  deleteOfAccount(accountId: string): Promise<void>;
  delete(id: string): Promise<void>;
  list(accountId: string | undefined, limit: number, cursor?: string): Promise<Page<MonitorView>>;
  view(row: MonitorRow): MonitorView;
}
