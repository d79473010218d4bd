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
 *
 * An announcement describes writes, so it reaches listeners only once they are committed: the
 * scheduler hands the bus the backend's `afterCommit` (`sendAfterCommit`), and an emit made inside
 * a transaction (a decision) waits for its commit, and is dropped if it is undone.
 */
export class FleetEvents extends EventEmitter<FleetEventMap> {
  private later: ((send: () => void) => void) | undefined;

  sendAfterCommit(later: (send: () => void) => void): void {
    this.later = later;
  }

  override emit<K extends keyof FleetEventMap>(event: K, ...args: FleetEventMap[K]): boolean {
    if (!this.later) return this.sendNow(event, args);
    this.later(() => this.sendNow(event, args));
    return this.listenerCount(event) > 0;
  }

  private sendNow<K extends keyof FleetEventMap>(event: K, args: FleetEventMap[K]): boolean {
    return (super.emit as (event: K, ...args: FleetEventMap[K]) => boolean)(event, ...args);
  }
}
