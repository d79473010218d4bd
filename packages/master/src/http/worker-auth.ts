import type { WorkerCredentialsBackend } from '../store/backend/worker-credentials-backend.js';

/**
 * How the HTTP edge checks that a request speaks for a worker (artifact uploads). An interface, so
 * the routes don't depend on how workers prove who they are.
 */
export interface WorkerAuth {
  /** Whether `token` speaks for `workerId`. Never throws or rejects. */
  verify(workerId: string, token: string): boolean | Promise<boolean>;
}

/** Each worker id's own credential (or, for an id never confirmed, the fleet token). */
export function credentialWorkerAuth(identities: Pick<WorkerCredentialsBackend, 'authenticate'>): WorkerAuth {
  return { verify: async (workerId, token) => (await identities.authenticate(workerId, token)) !== undefined };
}
