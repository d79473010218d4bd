import type { JobView, WorkerStatusEvent } from '@fleetwright/shared';

/** What the scheduler announces; the `/client` gateway relays these to dashboards and upstream. */
export interface SchedulerEvents {
  'job:changed': [job: JobView];
  'job:progress': [job: JobView];
  'job:done': [job: JobView];
  'worker:status': [worker: WorkerStatusEvent];
}
