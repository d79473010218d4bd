import type { LeaseRecord, LeasesBackend } from '../backend/leases-backend.js';
import type { ConnectionGate } from './connection-gate.js';
import type { LeaseStore } from './lease-store.js';

/** LeasesBackend over the SQLite store: each call runs when the connection is free (see ConnectionGate). */
export class SqliteLeases implements LeasesBackend {
  constructor(
    private readonly store: LeaseStore,
    private readonly gate: ConnectionGate,
  ) {}

  acquire(name: string, holder: string, ttlMs: number, heldEpoch?: number): Promise<LeaseRecord | undefined> {
    return this.gate.run(() => this.store.acquire(name, holder, ttlMs, heldEpoch));
  }

  release(name: string, holder: string, epoch: number): Promise<boolean> {
    return this.gate.run(() => this.store.release(name, holder, epoch));
  }

  current(name: string): Promise<LeaseRecord | undefined> {
    return this.gate.run(() => this.store.current(name));
  }

  assertHeld(name: string, holder: string, epoch: number): Promise<void> {
    return this.gate.run(() => this.store.assertHeld(name, holder, epoch));
  }

  markAnnounced(name: string, holder: string, epoch: number, through: number): Promise<boolean> {
    return this.gate.run(() => this.store.markAnnounced(name, holder, epoch, through));
  }

  announce(id: string, url: string): Promise<void> {
    return this.gate.run(() => this.store.announce(id, url));
  }

  urlOf(id: string): Promise<string | undefined> {
    return this.gate.run(() => this.store.urlOf(id));
  }
}
