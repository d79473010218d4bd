import type { Namespace, Server, Socket } from 'socket.io';
import {
  ClientEvent,
  ClientHandshakeSchema,
  ClientRequest,
  FleetError,
  Namespace as Ns,
  onValidated,
  type ClientSocketData,
  type ClientToMasterEvents,
  type CreateJobBody,
  type JobView,
  type Logger,
  type MasterToClientEvents,
} from '@fleetwright/shared';
import type { AccountBrowsers } from '../accounts/account-browsers.js';
import type { TokensBackend } from '../store/backend/tokens-backend.js';
import type { JobCommands } from '../jobs/job-commands.js';
import type { FleetEvents } from '../events/fleet-events.js';
import { readCookie, SESSION_COOKIE } from '../http/auth.js';
import { handshakeGuard } from './handshake-guard.js';
import type { ClientRequestsToLeader } from './client-requests-to-leader.js';
import { dropConnection } from './engine-connections.js';

function refusal(code: string, message: string): Error {
  const error = new Error(message) as Error & { data: unknown };
  error.data = { code, message };
  return error;
}

type ClientNamespace = Namespace<ClientToMasterEvents, MasterToClientEvents, Record<string, never>, ClientSocketData>;
type ClientSocket = Socket<ClientToMasterEvents, MasterToClientEvents, Record<string, never>, ClientSocketData>;

export interface ClientGatewayOptions {
  /**
   * Origins besides the master's own whose pages may open a cookie-authenticated socket
   * (`FLEET_ALLOWED_ORIGINS`); token-authenticated sockets are not checked. @defaultValue []
   */
  allowedOrigins?: readonly string[];
  /**
   * A socket whose unsent packets stay above this many for `SLOW_SOCKET_GRACE_MS` is too slow to
   * follow the fleet's events and is disconnected (it may reconnect and page what it missed over
   * REST). A burst above it that drains in time cuts nothing. @defaultValue 5000
   */
  maxQueuedPackets?: number;
  /** With several masters: requests that change the fleet go to the leader. @defaultValue decided here */
  toLeader?: ClientRequestsToLeader;
}

/** How often slow sockets are looked for. */
const SLOW_SOCKET_SWEEP_MS = 1000;
/**
 * How long a socket's backlog may stay above the bound before it is cut. One look is not enough:
 * a bulk create queues thousands of events at once, and a reader paused by a GC or a busy host
 * catches up a moment later.
 */
const SLOW_SOCKET_GRACE_MS = 5000;

/** The `/client` namespace: dashboards and upstream systems drive jobs and watch the fleet live. */
export class ClientGateway {
  private namespace: ClientNamespace | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  /** When each socket over the bound was first seen over it, in a row of sweeps. */
  private readonly overSince = new WeakMap<ClientSocket, number>();
  private readonly allowedOrigins: Set<string>;

  constructor(
    private readonly browsers: Pick<AccountBrowsers, 'onChange'>,
    private readonly tokens: TokensBackend,
    private readonly commands: JobCommands,
    private readonly logger: Logger,
    private readonly options: ClientGatewayOptions = {},
  ) {
    this.allowedOrigins = new Set((options.allowedOrigins ?? []).map((o) => o.toLowerCase()));
  }

  attach(io: Server, events: FleetEvents): void {
    const ns = io.of(Ns.Client) as ClientNamespace;
    this.namespace = ns;
    ns.use(
      handshakeGuard(Ns.Client, this.logger, async (socket, next) => {
        // The dashboard signs in with its httpOnly cookie; upstream systems pass a token in `auth`.
        const parsed = ClientHandshakeSchema.safeParse(socket.handshake.auth);
        const token = parsed.success ? parsed.data.token : readCookie(socket.handshake.headers.cookie, SESSION_COOKIE);
        const identity = token ? await this.tokens.verify(token) : undefined;
        if (!identity) {
          next(refusal('UNAUTHORIZED', 'client authentication failed: missing or unknown API token'));
          return;
        }
        // A browser sends the operator's cookie to any page's socket on this host (another port is
        // the same site): only the master's own pages, and origins the operator allows, may use it.
        if (!parsed.success && !this.originAllowed(socket.handshake.headers.origin, socket.handshake.headers.host)) {
          this.logger.warn('refused a cookie socket from a foreign origin', { origin: socket.handshake.headers.origin, address: socket.handshake.address });
          next(refusal('FORBIDDEN', "a cookie-authenticated socket must come from the master's own origin or FLEET_ALLOWED_ORIGINS"));
          return;
        }
        socket.data.tokenId = identity.tokenId;
        socket.data.role = identity.role;
        next();
      }),
    );
    ns.on('connection', (socket) => this.onConnection(socket));
    this.tokens.onRevoked((tokenId) => {
      for (const socket of ns.sockets.values()) if (socket.data.tokenId === tokenId) socket.disconnect(true);
    });
    this.sweepTimer = setInterval(() => this.disconnectSlowSockets(ns), SLOW_SOCKET_SWEEP_MS);
    this.sweepTimer.unref();
    events.on('job:progress', (job) =>
      ns.emit(ClientEvent.JobProgress, { jobId: job.id, accountId: job.accountId, status: job.status, progress: job.progress }),
    );
    events.on('job:changed', (job) =>
      ns.emit(ClientEvent.JobProgress, { jobId: job.id, accountId: job.accountId, status: job.status, progress: job.progress }),
    );
    events.on('job:done', (job) => ns.emit(ClientEvent.JobDone, job));
    events.on('job:log', (event) => ns.emit(ClientEvent.JobLog, event));
    events.on('worker:status', (worker) => ns.emit(ClientEvent.WorkerStatus, worker));
    events.on('login:qrcode', (event) => ns.emit(ClientEvent.LoginQrCode, event));
    events.on('login:status', (event) => ns.emit(ClientEvent.LoginStatus, event));
    events.on('message:detected', (event) => ns.emit(ClientEvent.MessageDetected, event));
    events.on('reply:result', (event) => ns.emit(ClientEvent.ReplyResult, event));
    this.browsers.onChange((accountId, browser) => ns.emit(ClientEvent.AccountBrowser, { accountId, browser }));
  }

  private onConnection(socket: ClientSocket): void {
    const mayChange = (): void => {
      if (socket.data.role === 'viewer') throw new FleetError('FORBIDDEN', 'a viewer token cannot change anything');
    };
    // Decided here, or by the leader through the REST request that does the same.
    const decide = <T>(here: () => Promise<T>, path: string, body: unknown): Promise<T> =>
      this.options.toLeader ? this.options.toLeader.decide(socket, here, { method: 'POST', path, body }) : here();
    const submit = async (body: CreateJobBody): Promise<JobView> => {
      mayChange();
      return decide(async () => (await this.commands.submit(body)).job, '/jobs', body);
    };
    onValidated(socket, ClientRequest.JobCreate, (body) => submit(body), this.logger);
    onValidated(
      socket,
      ClientRequest.JobCancel,
      async (body) => {
        mayChange();
        return decide(() => this.commands.cancel(body.jobId), `/jobs/${encodeURIComponent(body.jobId)}/cancel`, {});
      },
      this.logger,
    );
    onValidated(
      socket,
      ClientRequest.LoginStart,
      (body) => submit({ type: 'login', accountId: body.accountId, payload: { method: body.method } }),
      this.logger,
    );
    onValidated(
      socket,
      ClientRequest.ReplyExecute,
      (body) => {
        const { accountId, idempotencyKey, ...payload } = body;
        return submit({ type: 'reply', accountId, payload, ...(idempotencyKey ? { idempotencyKey } : {}) });
      },
      this.logger,
    );
  }

  private originAllowed(origin: string | undefined, host: string | undefined): boolean {
    if (!origin) return false;
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      return false;
    }
    if (host && url.host.toLowerCase() === host.toLowerCase()) return true;
    return this.allowedOrigins.has(url.origin.toLowerCase());
  }

  /** Backpressure: a socket that can't keep up is cut rather than buffered without bound. */
  private disconnectSlowSockets(ns: ClientNamespace): void {
    const max = this.options.maxQueuedPackets ?? 5000;
    const now = Date.now();
    for (const socket of ns.sockets.values()) {
      const queued = (socket.conn as unknown as { writeBuffer?: unknown[] }).writeBuffer?.length ?? 0;
      if (queued <= max) {
        this.overSince.delete(socket);
        continue;
      }
      const since = this.overSince.get(socket) ?? now;
      this.overSince.set(socket, since);
      if (now - since < SLOW_SOCKET_GRACE_MS) continue;
      this.logger.warn('disconnected a /client socket too slow for the event stream', { socketId: socket.id, queued, overForMs: now - since });
      socket.disconnect(true);
      dropConnection(socket.conn);
    }
  }

  /** Tells every client again that `job` ended (see AnnouncementMark): only clients, not this master's own listeners. */
  announceEndAgain(job: JobView): void {
    this.namespace?.emit(ClientEvent.JobDone, job);
  }

  close(): void {
    clearInterval(this.sweepTimer);
    this.namespace?.disconnectSockets(true);
    this.namespace?.removeAllListeners();
  }
}
