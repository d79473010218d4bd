import type { Namespace, Server, Socket } from 'socket.io';
import {
  ClientEvent,
  ClientHandshakeSchema,
  ClientRequest,
  FleetError,
  JobCancelRequestSchema,
  JobCreateSchema,
  LoginStartSchema,
  Namespace as Ns,
  ReplyExecuteSchema,
  validated,
  type ClientSocketData,
  type ClientToMasterEvents,
  type Logger,
  type MasterToClientEvents,
} from '@fleetwright/shared';
import type { FleetStore } from '../store/fleet-store.js';
import type { JobCommands } from '../scheduler/job-commands.js';
import type { Scheduler } from '../scheduler/scheduler.js';
import { readCookie, SESSION_COOKIE } from '../http/auth.js';


type ClientNamespace = Namespace<ClientToMasterEvents, MasterToClientEvents, Record<string, never>, ClientSocketData>;
type ClientSocket = Socket<ClientToMasterEvents, MasterToClientEvents, Record<string, never>, ClientSocketData>;

/** The `/client` namespace: dashboards and upstream systems drive jobs and watch the fleet live. */
export class ClientGateway {
  private namespace: ClientNamespace | undefined;

  constructor(
    private readonly store: FleetStore,
    private readonly commands: JobCommands,
    private readonly logger: Logger,
  ) {}

  attach(io: Server, scheduler: Scheduler): void {
    const ns = io.of(Ns.Client) as ClientNamespace;
    this.namespace = ns;
    ns.use((socket, next) => {
      // The dashboard signs in with its httpOnly cookie; upstream systems pass a token in `auth`.
      const parsed = ClientHandshakeSchema.safeParse(socket.handshake.auth);
      const token = parsed.success ? parsed.data.token : readCookie(socket.handshake.headers.cookie, SESSION_COOKIE);
      const identity = token ? this.store.tokens.verify(token) : undefined;
      if (!identity) {
        const error = new Error('client authentication failed: missing or unknown API token') as Error & { data: unknown };
        error.data = { code: 'UNAUTHORIZED', message: error.message };
        next(error);
        return;
      }
      socket.data.tokenId = identity.tokenId;
      socket.data.role = identity.role;
      next();
    });
    ns.on('connection', (socket) => this.onConnection(socket));
    scheduler.on('job:progress', (job) => ns.emit(ClientEvent.JobProgress, { jobId: job.id, accountId: job.accountId, status: job.status, progress: job.progress }));
    scheduler.on('job:changed', (job) => ns.emit(ClientEvent.JobProgress, { jobId: job.id, accountId: job.accountId, status: job.status, progress: job.progress }));
    scheduler.on('job:done', (job) => ns.emit(ClientEvent.JobDone, job));
    scheduler.on('job:log', (event) => ns.emit(ClientEvent.JobLog, event));
    scheduler.on('worker:status', (worker) => ns.emit(ClientEvent.WorkerStatus, worker));
    scheduler.on('login:qrcode', (event) => ns.emit(ClientEvent.LoginQrCode, event));
    scheduler.on('login:status', (event) => ns.emit(ClientEvent.LoginStatus, event));
    scheduler.on('message:detected', (event) => ns.emit(ClientEvent.MessageDetected, event));
    scheduler.on('reply:result', (event) => ns.emit(ClientEvent.ReplyResult, event));
    this.store.browsers.onChange((accountId, browser) => ns.emit(ClientEvent.AccountBrowser, { accountId, browser }));
  }

  private onConnection(socket: ClientSocket): void {
    const mayChange = (): void => {
      if (socket.data.role === 'viewer') throw new FleetError('FORBIDDEN', 'a viewer token cannot change anything');
    };
    socket.on(ClientRequest.JobCreate, validated(JobCreateSchema, (body) => (mayChange(), this.commands.create(body).job), this.logger, ClientRequest.JobCreate));
    socket.on(ClientRequest.JobCancel, validated(JobCancelRequestSchema, async (body) => (mayChange(), this.commands.cancel(body.jobId)), this.logger, ClientRequest.JobCancel));
    socket.on(
      ClientRequest.LoginStart,
      validated(LoginStartSchema, (body) => (mayChange(), this.commands.create({ type: 'login', accountId: body.accountId, payload: { method: body.method } }).job), this.logger, ClientRequest.LoginStart),
    );
    socket.on(
      ClientRequest.ReplyExecute,
      validated(
        ReplyExecuteSchema,
        (body) => {
          mayChange();
          const { accountId, idempotencyKey, ...payload } = body;
          return this.commands.create({ type: 'reply', accountId, payload, ...(idempotencyKey ? { idempotencyKey } : {}) }).job;
        },
        this.logger,
        ClientRequest.ReplyExecute,
      ),
    );
  }

  close(): void {
    this.namespace?.disconnectSockets(true);
    this.namespace?.removeAllListeners();
  }
}
