import { tokensEqual } from '@fleetwright/shared';

/**
 * How the HTTP edge checks that a request speaks for a worker (artifact uploads). An interface, so
 * the check can change without touching the routes: today every worker presents the fleet token;
 * per-worker credentials plug in here.
 */
export interface WorkerAuth {
  /** Whether `token` is `workerId`'s credential. Never throws. */
  verify(workerId: string, token: string): boolean;
}

/** Today's check: any worker id with the shared fleet token. */
export function fleetTokenWorkerAuth(workerToken: string): WorkerAuth {
  return { verify: (_workerId, token) => tokensEqual(token, workerToken) };
}
