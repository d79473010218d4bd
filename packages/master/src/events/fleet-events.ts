import { EventEmitter } from 'node:events';
import type { JobLogEvent, JobView, LoginQrCodeEvent, LoginStatusEvent, MessageDetectedEvent, ReplyResultEvent, WorkerStatusEvent } from '@fleetwright/shared';

/** What happens in the fleet, as the master announces it; the `/client` gateway relays it to dashboards and upstream. */
export interface FleetEventMap {
  'job:changed': [job: JobView];
  'job:progress': [job: JobView];
  'job:done': [job: JobView];
  'job:log': [event: JobLogEvent];
  'worker:status': [worker: WorkerStatusEvent];
  'login:qrcode': [event: LoginQrCodeEvent];
  'login:status': [event: LoginStatusEvent];
  'message:detected': [event: MessageDetectedEvent];
  'reply:result': [event: ReplyResultEvent];
}

/**
 * The master's event bus: the job lifecycle, worker reports and the scheduler announce here, and
 * the gateway, metrics, monitors and parent jobs listen. One instance per master.
 */
export class FleetEvents extends EventEmitter<FleetEventMap> {}
