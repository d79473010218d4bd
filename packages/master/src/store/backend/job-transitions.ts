import { FleetError, type JobStatus } from '@fleetwright/shared';
import type { JobRow } from './records.js';

/** The job lifecycle. Anything not listed here is an illegal transition and is refused. */
export const JOB_TRANSITIONS: Record<JobStatus, readonly JobStatus[]> = {
  // A queued job fails without running when its account can never run it (secrets unreadable).
  queued: ['dispatched', 'cancelled', 'failed'],
  // A dispatched job goes back to the queue when its worker refuses it or is lost.
  dispatched: ['running', 'queued', 'succeeded', 'failed', 'cancelled'],
  // A running job goes back to the queue for a retry or when its worker is lost.
  running: ['succeeded', 'failed', 'cancelled', 'queued'],
  succeeded: [],
  failed: [],
  cancelled: [],
};

export function canTransition(from: JobStatus, to: JobStatus): boolean {
  return JOB_TRANSITIONS[from].includes(to);
}

/** Refuses with ILLEGAL_TRANSITION (field `status`) a move the lifecycle does not allow. */
export function assertCanTransition(job: Pick<JobRow, 'id' | 'status'>, to: JobStatus): void {
  if (!canTransition(job.status, to)) throw new FleetError('ILLEGAL_TRANSITION', `job ${job.id} is ${job.status}; it cannot become ${to}`, { field: 'status' });
}
