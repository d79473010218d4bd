import type { PutLimitBody, RateLimitScope } from '@fleetwright/shared';
import type { JobRunRecord, LimitRecord, LimitsBackend, PauseRecord } from '../backend/limits-backend.js';
import type { ConnectionGate } from './connection-gate.js';
import type { LimitStore } from './limit-store.js';

/** LimitsBackend over the SQLite store: each call runs when the connection is free (see ConnectionGate). */
export class SqliteLimits implements LimitsBackend {
  constructor(
    private readonly store: LimitStore,
    private readonly gate: ConnectionGate,
  ) {}

  list(): Promise<LimitRecord[]> {
    return this.gate.run(() => this.store.list());
  }

  put(body: PutLimitBody): Promise<LimitRecord> {
    return this.gate.run(() => this.store.put(body));
  }

  delete(id: string): Promise<boolean> {
    return this.gate.run(() => this.store.delete(id));
  }

  pauses(now: number): Promise<PauseRecord[]> {
    return this.gate.run(() => this.store.pauses(now));
  }

  pause(scope: RateLimitScope, target: string, until: number, reason: string | null): Promise<PauseRecord> {
    return this.gate.run(() => this.store.pause(scope, target, until, reason));
  }

  endedSince(since: number): Promise<JobRunRecord[]> {
    return this.gate.run(() => this.store.endedSince(since));
  }

  active(): Promise<JobRunRecord[]> {
    return this.gate.run(() => this.store.active());
  }
}
