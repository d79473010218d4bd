import type { WorkerProof } from '../store/worker-credential-store.js';

/**
 * How the HTTP edge checks that a request speaks for a worker (artifact uploads). An interface, so
 * the routes don't depend on how workers prove who they are.
 */
export interface WorkerAuth {
  /** Whether `token` speaks for `workerId`. Never throws. */
  verify(workerId: string, token: string): boolean;
}

/** Each worker id's own credential (or, for an id never confirmed, the fleet token). */
export function credentialWorkerAuth(identities: { authenticate(workerId: string, token: string): WorkerProof | undefined }): WorkerAuth {
  return { verify: (workerId, token) => identities.authenticate(workerId, token) !== undefined };
}
