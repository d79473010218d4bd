import type { JobStatus } from '@fleetwright/shared';
import type { FleetBackend } from '@fleetwright/master';
import type { NewJob } from '@fleetwright/master';

/** What a conformance run is given: a way to open a fresh, empty backend with these secrets. */
export interface ConformanceTarget {
  /** Opens an empty backend: the admin token is `ADMIN_TOKEN`, the fleet token `FLEET_TOKEN`. */
  open(): Promise<OpenedBackend>;
}

export interface OpenedBackend {
  backend: FleetBackend;
  /** Closes the backend and removes what it wrote. */
  dispose(): Promise<void>;
}

export const ADMIN_TOKEN = 'fla_conformance-admin-token-0123456789';
export const FLEET_TOKEN = 'conformance-fleet-token-0123456789';

/** A queued job with plain defaults; `over` sets what a test cares about. */
export function newJob(over: Partial<NewJob> = {}): NewJob {
  return {
    type: 'crawl',
    platform: 'sandbox',
    accountId: null,
    pool: null,
    payload: {},
    priority: 0,
    maxAttempts: 3,
    timeoutMs: 60_000,
    runAfter: 0,
    parentId: null,
    idempotencyKey: null,
    ...over,
  };
}

/** A job of the account, moved along `path` (dispatched to `workerId` on the way). */
export async function jobIn(backend: FleetBackend, path: JobStatus[], over: Partial<NewJob> = {}, workerId = 'w1'): Promise<string> {
  const { row } = await backend.jobs.create(newJob(over));
  for (const to of path) await backend.jobs.transition(row.id, to, to === 'dispatched' ? { worker_id: workerId, epoch: 1, dispatched_at: Date.now() } : {});
  return row.id;
}
