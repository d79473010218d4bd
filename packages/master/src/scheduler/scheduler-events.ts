import type { JobView, WorkerStatusEvent } from '@fleetwright/shared';

/** What the scheduler announces; the `/client` gateway relays these to dashboards and upstream. */
export interface SchedulerEvents {
  'job:changed': [job: JobView];
  'job:progress': [job: JobView];
  'job:done': [job: JobView];
  'worker:status': [worker: WorkerStatusEvent];
  /** Each scheduler pass, before assignment and dispatch: timers (monitors, retention) hook here. */
  tick: [];
}
