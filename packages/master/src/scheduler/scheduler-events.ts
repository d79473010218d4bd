import type { JobLogEvent, JobView, LoginQrCodeEvent, LoginStatusEvent, MessageDetectedEvent, ReplyResultEvent, WorkerStatusEvent } from '@fleetwright/shared';

/** What the scheduler announces; the `/client` gateway relays these to dashboards and upstream. */
export interface SchedulerEvents {
  'job:changed': [job: JobView];
  'job:progress': [job: JobView];
  'job:done': [job: JobView];
  'job:log': [event: JobLogEvent];
  'worker:status': [worker: WorkerStatusEvent];
  /** Each scheduler pass, before assignment and dispatch: timers (monitors, retention) hook here. */
  tick: [];
  'login:qrcode': [event: LoginQrCodeEvent];
  'login:status': [event: LoginStatusEvent];
  'message:detected': [event: MessageDetectedEvent];
  'reply:result': [event: ReplyResultEvent];
}
