import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type Socket } from 'socket.io';
import {
  MasterEvent,
  Namespace,
  WorkerEvent,
  type AccountBrowserCommand,
  type Ack,
  type JobRun,
  type TaskAssign,
  type TaskRevoke,
  type WorkerJobResult,
  type WorkerRegister,
  type WorkerStateSnapshot,
} from '@fleetwright/shared';
import { waitFor } from './wait-for.js';

/**
 * A stand-in for the master on `/worker`, scripted by the test: it acknowledges what a worker
 * sends (recording it), sends assignments, runs and revokes when told, and can go away and come
 * back on the same port (a partition, from the worker's side). Pure plumbing: the worker is real.
 */
export class ScriptedMaster {
  readonly registrations: WorkerRegister[] = [];
  readonly snapshots: WorkerStateSnapshot[] = [];
  readonly results: WorkerJobResult[] = [];
  /** Paths of the artifact uploads received. */
  readonly uploads: string[] = [];
  /** While set, artifact uploads are answered only once it resolves (a slow master or network). */
  uploadsHeldUntil: Promise<void> | undefined;
  heartbeats = 0;
  /** Assignments sent right after each registration. */
  assignOnRegister: TaskAssign[] = [];
  /** How the master answers a state snapshot (a real master refuses a stale epoch). */
  snapshotAnswer: (snapshot: WorkerStateSnapshot) => Ack<null> = () => ({ ok: true, data: null });
  private httpServer: http.Server | undefined;
  private io: Server | undefined;
  private socket: Socket | undefined;
  private port = 0;

  constructor(private readonly heartbeatIntervalMs = 200) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get connected(): boolean {
    return this.socket?.connected ?? false;
  }

  /** Listens (again, on the same port after `goAway`). */
  async start(): Promise<this> {
    // Artifact uploads (PUT over HTTP) are taken and recorded, as the master would.
    this.httpServer = http.createServer((req, res) => {
      if (req.url?.startsWith('/socket.io')) return;
      this.uploads.push(req.url ?? '');
      req.resume().on('end', () => void Promise.resolve(this.uploadsHeldUntil).then(() => res.writeHead(204).end()));
    });
    this.io = new Server(this.httpServer, { transports: ['websocket'] });
    this.io.of(Namespace.Worker).on('connection', (socket) => this.bind(socket));
    await new Promise<void>((resolve) => this.httpServer!.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.httpServer.address() as AddressInfo).port;
    return this;
  }

  private bind(socket: Socket): void {
    this.socket = socket;
    const ok = (ack: unknown, data: unknown = null): void => (typeof ack === 'function' ? (ack as (a: Ack<unknown>) => void)({ ok: true, data }) : undefined);
    socket.on(WorkerEvent.Register, (payload: WorkerRegister, ack: unknown) => {
      this.registrations.push(payload);
      ok(ack, { heartbeatIntervalMs: this.heartbeatIntervalMs });
      // As a real master does: the worker's accounts follow its registration at once.
      for (const task of this.assignOnRegister) void this.assign(task);
    });
    socket.on(WorkerEvent.Heartbeat, (_payload: unknown, ack: unknown) => {
      this.heartbeats += 1;
      ok(ack);
    });
    socket.on(WorkerEvent.StateSnapshot, (payload: WorkerStateSnapshot, ack: unknown) => {
      this.snapshots.push(payload);
      if (typeof ack === 'function') (ack as (a: Ack<null>) => void)(this.snapshotAnswer(payload));
    });
    socket.on(WorkerEvent.JobResult, (payload: WorkerJobResult, ack: unknown) => {
      this.results.push(payload);
      ok(ack);
    });
    for (const event of [
      WorkerEvent.JobProgress,
      WorkerEvent.JobLog,
      WorkerEvent.AccountBrowser,
      WorkerEvent.LoginQrCode,
      WorkerEvent.LoginStatus,
      WorkerEvent.MessageDetected,
      WorkerEvent.ReplyResult,
    ]) {
      socket.on(event, (_payload: unknown, ack: unknown) => ok(ack));
    }
  }

  /** Resolves once the worker has registered `count` times in all. */
  registered(count = 1): Promise<WorkerRegister> {
    return waitFor(`registration #${count}`, () => (this.registrations.length >= count && this.connected ? this.registrations[count - 1] : undefined), 20_000);
  }

  private async request(event: string, payload: unknown): Promise<Ack<unknown>> {
    if (!this.socket) throw new Error('no worker connected');
    return (await this.socket.timeout(20_000).emitWithAck(event, payload)) as Ack<unknown>;
  }

  assign(task: TaskAssign): Promise<Ack<unknown>> {
    return this.request(MasterEvent.TaskAssign, task);
  }

  revoke(revoke: TaskRevoke): Promise<Ack<unknown>> {
    return this.request(MasterEvent.TaskRevoke, revoke);
  }

  browser(command: AccountBrowserCommand): Promise<Ack<unknown>> {
    return this.request(MasterEvent.AccountBrowser, command);
  }

  run(run: JobRun): Promise<Ack<unknown>> {
    return this.request(MasterEvent.JobRun, run);
  }

  resultOf(jobId: string, timeoutMs = 20_000): Promise<WorkerJobResult> {
    return waitFor(`the result of job ${jobId}`, () => this.results.find((r) => r.jobId === jobId), timeoutMs);
  }

  /** Stops answering and closes every connection: to the worker, the master is gone. */
  async goAway(): Promise<void> {
    const io = this.io;
    this.io = undefined;
    this.socket = undefined;
    if (!io) return;
    io.disconnectSockets(true);
    await new Promise<void>((resolve) => {
      io.close(() => resolve());
      this.httpServer?.closeAllConnections();
    });
  }

  close(): Promise<void> {
    return this.goAway();
  }
}
