import { FleetError, hashToken } from '@fleetwright/shared';
import type { WorkerProof } from './records.js';
import { TokenHash } from './token-hash.js';

/** A worker id's stored credential: its hash, and when the worker first used it. */
export interface WorkerCredentialRow {
  token_hash: string;
  confirmed_at: number | null;
}

/**
 * How a token proves a worker id, on every engine: the id's own credential always does; the fleet
 * token does until that credential is confirmed (or when the id has none).
 */
export class WorkerProofs {
  private readonly fleetToken: TokenHash;

  constructor(fleetToken: string) {
    this.fleetToken = new TokenHash(fleetToken);
  }

  /** Which proof `token` is for an id whose stored credential is `credential`, or undefined when it is none. */
  proofOf(credential: WorkerCredentialRow | undefined, token: string): WorkerProof | undefined {
    if (credential && new TokenHash(token).matches(credential.token_hash)) return 'credential';
    if (credential?.confirmed_at != null) return undefined;
    return this.isFleetToken(token) ? 'fleet-token' : undefined;
  }

  isFleetToken(token: string): boolean {
    return this.fleetToken.matches(hashToken(token));
  }
}

/** Why an id whose credential is confirmed cannot enroll again. */
export function alreadyEnrolled(workerId: string): FleetError {
  return new FleetError(
    'CONFLICT',
    `worker id ${workerId} is already enrolled: its worker presents its own credential (data dir), or an admin revokes it (DELETE /api/v1/workers/${workerId}/credential)`,
    { field: 'workerId' },
  );
}
