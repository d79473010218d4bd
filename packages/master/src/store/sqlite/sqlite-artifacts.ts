import type { Readable } from 'node:stream';
import type { ArtifactRow } from '../backend/records.js';
import type { ArtifactsBackend } from '../backend/artifacts-backend.js';
import type { ArtifactStore } from './artifact-store.js';
import type { ConnectionGate } from './connection-gate.js';

/** ArtifactsBackend over the SQLite store: each call runs when the connection is free (see ConnectionGate). */
export class SqliteArtifacts implements ArtifactsBackend {
  constructor(
    private readonly store: ArtifactStore,
    private readonly gate: ConnectionGate,
  ) {}

  checkName(name: string): void {
    this.store.checkName(name);
  }

  saveStream(jobId: string, name: string, source: Readable, maxBytes: number): Promise<ArtifactRow> {
    // The file is written outside the gate; only its record waits for the connection.
    return this.store.saveStream(jobId, name, source, maxBytes, (record) => this.gate.run(record));
  }

  require(jobId: string, name: string): Promise<ArtifactRow> {
    return this.gate.run(() => this.store.require(jobId, name));
  }
}
