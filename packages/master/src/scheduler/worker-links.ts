import type { Ack, MasterToWorkerEvents } from '@fleetwright/shared';

type Payload<E extends keyof MasterToWorkerEvents> = Parameters<MasterToWorkerEvents[E]>[0];
type AckData<E extends keyof MasterToWorkerEvents> = Parameters<Parameters<MasterToWorkerEvents[E]>[1]>[0];

/** How the scheduler reaches connected workers; the `/worker` gateway implements it. */
export interface WorkerLinks {
  isConnected(workerId: string): boolean;
  /** Sends a request and resolves with the worker's ack, or a WORKER_LOST/TIMEOUT error ack. */
  request<E extends keyof MasterToWorkerEvents>(workerId: string, event: E, payload: Payload<E>): Promise<AckData<E> | Ack<never>>;
  disconnect(workerId: string): void;
}
