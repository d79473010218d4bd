import { FleetError, generateToken, hashToken } from '@fleetwright/shared';
import { atomically, type Db } from './database.js';
import type { WorkerProof } from '../backend/records.js';
import { WorkerProofs, alreadyEnrolled, type WorkerCredentialRow } from '../backend/worker-proofs.js';

/**
 * Each worker id's own credential. The fleet token is an enrollment secret: it enrolls an id and
 * gets that id's credential back once (only the hash is kept). The first handshake with the
 * credential confirms it; from then on only the credential speaks for the id, so a holder of the
 * fleet token can no longer push a live worker off or receive its accounts' secrets. An id that
 * never confirmed (a worker that predates credentials, or one whose enrollment answer was lost)
 * still accepts the fleet token, as before.
 */
export class WorkerCredentialStore {
  private readonly proofs: WorkerProofs;

  constructor(
    private readonly db: Db,
    fleetToken: string,
  ) {
    this.proofs = new WorkerProofs(fleetToken);
  }

  /** Which proof `token` is for `workerId`, or undefined when it is none. Constant time per comparison. */
  authenticate(workerId: string, token: string): WorkerProof | undefined {
    return this.proofs.proofOf(this.row(workerId), token);
  }

  /** Marks the id's credential as in use: the fleet token stops speaking for it. */
  confirm(workerId: string): void {
    this.db.prepare('UPDATE worker_credentials SET confirmed_at = ? WHERE worker_id = ? AND confirmed_at IS NULL').run(Date.now(), workerId);
  }

  /**
   * Enrolls `workerId` with the fleet token and returns its new credential (shown once). An id
   * whose credential is confirmed is refused: its worker must present it, or an admin revokes it.
   */
  enroll(workerId: string, fleetToken: string): string {
    if (!this.isFleetToken(fleetToken)) throw new FleetError('UNAUTHORIZED', 'enrollment needs the fleet token (FLEET_WORKER_TOKEN)');
    const token = generateToken('fwc');
    const enrolled = atomically(this.db, () => {
      if (this.row(workerId)?.confirmed_at != null) return false;
      this.db
        .prepare('INSERT OR REPLACE INTO worker_credentials (worker_id, token_hash, created_at, confirmed_at) VALUES (?, ?, ?, NULL)')
        .run(workerId, hashToken(token), Date.now());
      return true;
    });
    if (!enrolled) throw alreadyEnrolled(workerId);
    return token;
  }

  /** Forgets the id's credential; the id may enroll again with the fleet token. False when it had none. */
  revoke(workerId: string): boolean {
    return this.db.prepare('DELETE FROM worker_credentials WHERE worker_id = ?').run(workerId).changes > 0;
  }

  private row(workerId: string): WorkerCredentialRow | undefined {
    return this.db.prepare('SELECT token_hash, confirmed_at FROM worker_credentials WHERE worker_id = ?').get(workerId) as WorkerCredentialRow | undefined;
  }

  isFleetToken(token: string): boolean {
    return this.proofs.isFleetToken(token);
  }
}
