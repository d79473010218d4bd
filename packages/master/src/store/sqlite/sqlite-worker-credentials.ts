import type { WorkerProof } from '../backend/records.js';
import type { WorkerCredentialsBackend } from '../backend/worker-credentials-backend.js';
import type { WorkerCredentialStore } from './worker-credential-store.js';
import type { ConnectionGate } from './connection-gate.js';

/** WorkerCredentialsBackend over the SQLite store: each call runs when the connection is free (see ConnectionGate). */
export class SqliteWorkerCredentials implements WorkerCredentialsBackend {
  constructor(
    private readonly store: WorkerCredentialStore,
    private readonly gate: ConnectionGate,
  ) {}

  authenticate(workerId: string, token: string): Promise<WorkerProof | undefined> {
    return this.gate.run(() => this.store.authenticate(workerId, token));
  }

  confirm(workerId: string): Promise<void> {
    return this.gate.run(() => this.store.confirm(workerId));
  }

  enroll(workerId: string, fleetToken: string): Promise<string> {
    return this.gate.run(() => this.store.enroll(workerId, fleetToken));
  }

  revoke(workerId: string): Promise<boolean> {
    return this.gate.run(() => this.store.revoke(workerId));
  }

  isFleetToken(token: string): boolean {
    return this.store.isFleetToken(token);
  }
}
