import { FleetError, generateToken, hashToken } from '@fleetwright/shared';
import type { WorkerProof } from '../backend/records.js';
import { WorkerProofs, alreadyEnrolled, type WorkerCredentialRow } from '../backend/worker-proofs.js';
import type { WorkerCredentialsBackend } from '../backend/worker-credentials-backend.js';
import type { ClientScope } from './client-scope.js';

/**
 * Each worker id's own credential on PostgreSQL, with SQLite's rules (see WorkerCredentialStore):
 * the fleet token enrolls an id until its credential is confirmed; from then on only the
 * credential speaks for it.
 */
export class PostgresWorkerCredentials implements WorkerCredentialsBackend {
  private readonly proofs: WorkerProofs;

  constructor(
    private readonly scope: ClientScope,
    fleetToken: string,
  ) {
    this.proofs = new WorkerProofs(fleetToken);
  }

  async authenticate(workerId: string, token: string): Promise<WorkerProof | undefined> {
    const row = await this.scope.row<WorkerCredentialRow>('SELECT token_hash, confirmed_at FROM worker_credentials WHERE worker_id = $1', [workerId]);
    return this.proofs.proofOf(row, token);
  }

  async confirm(workerId: string): Promise<void> {
    await this.scope.changes('UPDATE worker_credentials SET confirmed_at = $1 WHERE worker_id = $2 AND confirmed_at IS NULL', [Date.now(), workerId]);
  }

  /** One statement: an enrollment racing a confirmation either lands first or is refused. */
  async enroll(workerId: string, fleetToken: string): Promise<string> {
    if (!this.isFleetToken(fleetToken)) throw new FleetError('UNAUTHORIZED', 'enrollment needs the fleet token (FLEET_WORKER_TOKEN)');
    const token = generateToken('fwc');
    const enrolled = await this.scope.changes(
      `INSERT INTO worker_credentials (worker_id, token_hash, created_at, confirmed_at) VALUES ($1, $2, $3, NULL)
       ON CONFLICT (worker_id) DO UPDATE SET token_hash = excluded.token_hash, created_at = excluded.created_at, confirmed_at = NULL
       WHERE worker_credentials.confirmed_at IS NULL`,
      [workerId, hashToken(token), Date.now()],
    );
    if (enrolled === 0) throw alreadyEnrolled(workerId);
    return token;
  }

  async revoke(workerId: string): Promise<boolean> {
    return (await this.scope.changes('DELETE FROM worker_credentials WHERE worker_id = $1', [workerId])) > 0;
  }

  isFleetToken(token: string): boolean {
    return this.proofs.isFleetToken(token);
  }
}
