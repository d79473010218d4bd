import { readFile } from 'node:fs/promises';
import { io, type Socket } from 'socket.io-client';
import {
  Namespace,
  WorkerEvent,
  requestWithAck,
  type Ack,
  type Logger,
  type MasterToWorkerEvents,
  type RequestPayload,
  type RequestReply,
  type WorkerEventName,
  type WorkerToMasterEvents,
} from '@fleetwright/shared';

export type WorkerSocket = Socket<MasterToWorkerEvents, WorkerToMasterEvents>;

export interface MasterConnectionOptions {
  masterUrl: string;
  /**
   * Every master this worker may connect to, when several share one database. Only the leader
   * takes workers: on a refusal (`NOT_LEADER`) or a master out of reach the connection tries the
   * next; with one URL it dials that one again after a pause. @defaultValue [`masterUrl`]
   */
  masterUrls?: string[];
  workerId: string;
  token: string;
  /** Deadline of each request to the master. @defaultValue 10000 */
  ackTimeoutMs?: number;
  /**
   * Called when the master refuses the token (an admin revoked this worker's credential): a new
   * one (re-enrollment with the fleet token), or undefined to stay refused.
   */
  renewToken?: () => Promise<string | undefined>;
  logger: Logger;
}

/** A refused worker asks for a new credential at most this often. */
const RENEW_INTERVAL_MS = 10_000;

const TRANSIENT_CODES = new Set(['WORKER_LOST', 'TIMEOUT', 'CONFLICT']);

/**
 * A worker with one master URL that refused it dials again after this, doubling up to the most: a
 * refusal comes from a master that answers, and the lead may come to it (or behind a balancer, to
 * the next one it picks) within seconds.
 */
const REFUSED_REDIAL_MS = { first: 500, most: 2000 };

/** The worker's socket to the master's `/worker` namespace, with deadlines on every request. */
export class MasterConnection {
  readonly socket: WorkerSocket;
  private closed = false;
  private token: string;
  private lastRenewAt = 0;
  private readonly urls: string[];
  private current = 0;
  /** With one URL: the pause before dialling it again after a refusal (NOT_LEADER); reset on connect. */
  private refusedDelay = REFUSED_REDIAL_MS.first;

  constructor(private readonly options: MasterConnectionOptions) {
    this.token = options.token;
    this.urls = options.masterUrls && options.masterUrls.length > 0 ? options.masterUrls : [options.masterUrl];
    this.socket = io(`${this.urls[0]}${Namespace.Worker}`, {
      auth: { workerId: options.workerId, token: options.token },
      autoConnect: false,
      reconnectionDelay: 500,
      reconnectionDelayMax: 5000,
      transports: ['websocket'],
    });
    this.socket.on('connect', () => {
      this.refusedDelay = REFUSED_REDIAL_MS.first;
    });
    this.socket.on('connect_error', (error) => {
      const data = (error as Error & { data?: { code?: string; message?: string; leader?: string | null } }).data;
      options.logger.warn('cannot connect to the master', { url: this.masterUrl, code: data?.code, error: data?.message ?? error.message });
      // A refused handshake is not retried by socket.io by itself.
      if (data?.code === 'UNAUTHORIZED') void this.renewAndReconnect();
      else if (data?.code === 'NOT_LEADER') this.tryNextMaster(true);
      else if (!data) this.tryNextMaster(false);
    });
    // socket.io doesn't reconnect after the server cut the socket (a revoked credential, a newer
    // connection of this id): come back after a pause; a refused handshake then renews the credential.
    this.socket.on('disconnect', (reason) => {
      if (reason !== 'io server disconnect' || this.closed) return;
      setTimeout(() => {
        if (!this.closed && !this.socket.connected) this.socket.connect();
      }, 1000).unref();
    });
  }

  /** The master this connection talks to now. */
  get masterUrl(): string {
    return this.urls[this.current]!;
  }

  /**
   * Moves on to the next master of the list. socket.io's own reconnection then dials it (its manager
   * reads `uri` at each attempt); a refused handshake is not retried by socket.io, so `redial` does:
   * soon for the next master of a list, after a growing pause for a single URL (a load balancer, or
   * one master that may lead again).
   */
  private tryNextMaster(redial: boolean): void {
    if (this.closed) return;
    if (this.urls.length > 1) {
      this.current = (this.current + 1) % this.urls.length;
      (this.socket.io as unknown as { uri: string }).uri = this.masterUrl;
    }
    if (!redial) return;
    const delay = this.urls.length > 1 ? 250 : this.refusedDelay;
    if (this.urls.length === 1) this.refusedDelay = Math.min(this.refusedDelay * 2, REFUSED_REDIAL_MS.most);
    setTimeout(() => {
      if (!this.closed && !this.socket.connected) this.socket.connect();
    }, delay).unref();
  }

  private async renewAndReconnect(): Promise<void> {
    if (!this.options.renewToken || this.closed || Date.now() - this.lastRenewAt < RENEW_INTERVAL_MS) return;
    this.lastRenewAt = Date.now();
    const token = await this.options.renewToken();
    if (!token || this.closed) return;
    this.token = token;
    this.socket.auth = { workerId: this.options.workerId, token };
    this.socket.connect();
  }

  start(): void {
    this.socket.connect();
  }

  get connected(): boolean {
    return this.socket.connected;
  }

  /** Sends a request and waits for the master's ack, up to the deadline. */
  request<E extends WorkerEventName>(event: E, payload: RequestPayload<E>): Promise<Ack<RequestReply<E>>> {
    return requestWithAck(this.socket, event, payload, this.options.ackTimeoutMs ?? 10_000, 'the master');
  }

  /**
   * At-least-once delivery: retries through reconnects until the master acknowledges, answers
   * with a definitive (non-retryable) error, or the connection is closed for good.
   */
  async deliver<E extends WorkerEventName>(event: E, payload: RequestPayload<E>, deadlineMs = Number.POSITIVE_INFINITY): Promise<Ack<RequestReply<E>>> {
    let delay = 250;
    const until = Date.now() + deadlineMs;
    for (;;) {
      const ack = await this.request(event, payload);
      if (ack.ok) return ack;
      // Not connected, no answer in time, or not registered yet after a reconnect: try again.
      const transient = TRANSIENT_CODES.has(ack.error.code);
      if (!transient) this.options.logger.warn('master refused a report', { event, error: ack.error });
      if (!transient || this.closed || Date.now() + delay > until) return ack;
      await new Promise((resolve) => setTimeout(resolve, delay).unref());
      delay = Math.min(delay * 2, 5000);
    }
  }

  /**
   * Uploads a job's file over HTTP with the worker's credential (artifacts can be megabytes: not the
   * socket). The master accepts it only from the worker running that `attempt` of the job.
   */
  async uploadArtifact(jobId: string, name: string, file: string, attempt: number): Promise<void> {
    const body = await readFile(file);
    const res = await fetch(`${this.masterUrl}/api/v1/worker/jobs/${encodeURIComponent(jobId)}/artifacts/${encodeURIComponent(name)}`, {
      method: 'PUT',
      headers: {
        authorization: `Bearer ${this.token}`,
        'x-fleet-worker': this.options.workerId,
        'x-fleet-attempt': String(attempt),
        'content-type': 'application/octet-stream',
      },
      body,
      signal: AbortSignal.timeout(60_000),
    });
    if (!res.ok) throw new Error(`upload of ${name} answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
  }

  close(): void {
    this.closed = true;
    this.socket.disconnect();
  }
}

export { WorkerEvent };
