import type { Ack, MasterEventName, RequestPayload, RequestReply } from '@fleetwright/shared';

/** How the scheduler reaches connected workers; the `/worker` gateway implements it. */
export interface WorkerLinks {
  isConnected(workerId: string): boolean;
  /** Sends a request and resolves with the worker's ack, or a WORKER_LOST/TIMEOUT error ack. */
  request<E extends MasterEventName>(workerId: string, event: E, payload: RequestPayload<E>): Promise<Ack<RequestReply<E>>>;
  disconnect(workerId: string): void;
}
