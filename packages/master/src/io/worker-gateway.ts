import type { Namespace, Server, Socket } from 'socket.io';
import {
  FleetError,
  MasterEvent,
  Namespace as Ns,
  WorkerEvent,
  WorkerHandshakeSchema,
  onValidated,
  requestWithAck,
  type Ack,
  type Logger,
  type MasterEventName,
  type MasterToWorkerEvents,
  type RequestPayload,
  type RequestReply,
  type WorkerSocketData,
  type WorkerToMasterEvents,
} from '@fleetwright/shared';
import type { FleetBackend } from '../store/backend/fleet-backend.js';
import type { AccountBrowsers } from '../accounts/account-browsers.js';
import type { JobReports } from '../jobs/job-reports.js';
import type { Scheduler } from '../scheduler/scheduler.js';
import type { SenderOrder } from '../scheduler/gathered-decisions.js';
import type { WorkerLinks } from '../scheduler/worker-links.js';
import type { BrowserCommands } from '../accounts/browser-commands.js';
import { handshakeGuard } from './handshake-guard.js';
import type { WorkerCredentialsBackend } from '../store/backend/worker-credentials-backend.js';

type WorkerNamespace = Namespace<WorkerToMasterEvents, MasterToWorkerEvents, Record<string, never>, WorkerSocketData>;
type WorkerSocket = Socket<WorkerToMasterEvents, MasterToWorkerEvents, Record<string, never>, WorkerSocketData>;

export interface WorkerGatewayOptions {
  /** @defaultValue 10000 */
  ackTimeoutMs?: number;
  /**
   * With several masters on one store, workers connect to the leader only: another master refuses
   * them with NOT_LEADER, naming the leader, and they try the next master. @defaultValue always leads
   */
  leadership?: { readonly leading: boolean; readonly leader: string | undefined };
}

/** The `/worker` namespace: authenticates workers, validates their reports, and carries requests to them. */
export class WorkerGateway implements WorkerLinks {
  private readonly sockets = new Map<string, WorkerSocket>();
  private namespace: WorkerNamespace | undefined;
  private scheduler: Scheduler | undefined;
  private reports: JobReports | undefined;
  private browsers: BrowserCommands | undefined;

  constructor(
    private readonly store: FleetBackend,
    /** The workers' browser states (memory), replaced by each heartbeat that carries them. */
    private readonly browserStates: AccountBrowsers,
    private readonly logger: Logger,
    private readonly identities: WorkerCredentialsBackend,
    private readonly options: WorkerGatewayOptions = {},
  ) {}

  attach(io: Server, scheduler: Scheduler, reports: JobReports, browsers: BrowserCommands): void {
    this.scheduler = scheduler;
    this.reports = reports;
    this.browsers = browsers;
    const ns = io.of(Ns.Worker) as WorkerNamespace;
    this.namespace = ns;
    ns.use(
      handshakeGuard(Ns.Worker, this.logger, async (socket, next) => {
        // Before the credential check, which needs the store: a master that stepped down because it
        // cannot reach the store still sends its workers on to the leader.
        const leadership = this.options.leadership;
        if (leadership && !leadership.leading) {
          const error = new Error(`this master does not lead the fleet; ${leadership.leader ?? 'another master'} does: connect there`) as Error & {
            data: unknown;
          };
          error.data = { code: 'NOT_LEADER', message: error.message, leader: leadership.leader ?? null };
          next(error);
          return;
        }
        const parsed = WorkerHandshakeSchema.safeParse(socket.handshake.auth);
        const proof = parsed.success ? await this.identities.authenticate(parsed.data.workerId, parsed.data.token) : undefined;
        if (!parsed.success || !proof) {
          // An enrolled id claimed without its credential is refused here, before the connection
          // exists, so the live worker of that id is never touched.
          const error = new Error('worker authentication failed: wrong credential for this worker id, or wrong fleet token') as Error & { data: unknown };
          error.data = { code: 'UNAUTHORIZED', message: error.message };
          this.logger.warn('refused a worker connection', { address: socket.handshake.address, workerId: parsed.success ? parsed.data.workerId : undefined });
          next(error);
          return;
        }
        if (proof === 'credential') await this.identities.confirm(parsed.data.workerId);
        socket.data.workerId = parsed.data.workerId;
        next();
      }),
    );
    ns.on('connection', (socket) => this.onConnection(socket));
  }

  private onConnection(socket: WorkerSocket): void {
    const workerId = socket.data.workerId;
    const previous = this.sockets.get(workerId);
    // The newest connection of a worker id wins; the old one is a leftover of a reconnect.
    if (previous && previous.id !== socket.id) previous.disconnect(true);
    this.sockets.set(workerId, socket);
    let registered = false;
    const requireRegistered = (): void => {
      if (!registered) throw new FleetError('CONFLICT', `send ${WorkerEvent.Register} first`);
    };
    const scheduler = this.scheduler!;
    const reports = this.reports!;
    const browsers = this.browsers!;
    // Where this worker's last decision stands in the queue: a success it reports later is never
    // applied before it, though successes are gathered (see GatheredDecisions).
    const order: SenderOrder = { last: 0 };
    const decide = <T>(run: () => Promise<T>): Promise<T> => {
      const decided = scheduler.decide(run);
      order.last = scheduler.queuedCount;
      return decided;
    };

    onValidated(
      socket,
      WorkerEvent.Register,
      async (payload) => {
        const { toCancel, answer } = await decide(async () => {
          const row = await this.store.workers.upsert({
            id: workerId,
            host: payload.host,
            version: payload.version,
            capabilities: payload.capabilities,
            maxAccounts: payload.maxAccounts,
            maxConcurrency: payload.maxConcurrency,
            maxLiveContexts: payload.maxLiveContexts,
            browserVersion: payload.browserVersion,
            draining: payload.draining,
          });
          registered = true;
          this.logger.info('worker registered', { workerId, host: payload.host, platforms: payload.capabilities.map((c) => c.platform) });
          const toCancel = await scheduler.workerRegistered(row, payload.runningJobs);
          await scheduler.revokeMoved(workerId, payload.heldAccounts);
          const answer = { heartbeatIntervalMs: scheduler.options.heartbeatIntervalMs, ownedAccountIds: await this.store.accounts.idsOwnedBy(workerId) };
          return { toCancel, answer };
        });
        for (const jobId of toCancel) void this.request(workerId, MasterEvent.JobCancel, { jobId, reason: 'unknown to the master' });
        return answer;
      },
      this.logger,
    );
    onValidated(
      socket,
      WorkerEvent.Heartbeat,
      async (p) => {
        requireRegistered();
        const arrived = this.browserStates.stamp();
        const owned = await scheduler.workerHeartbeat(workerId, p.stats);
        if (p.browsers) this.browserStates.replaceWorker(workerId, p.browsers, owned, arrived);
      },
      this.logger,
    );
    onValidated(
      socket,
      WorkerEvent.JobProgress,
      (p) => {
        requireRegistered();
        return decide(() => reports.progress(workerId, p));
      },
      this.logger,
    );
    onValidated(
      socket,
      WorkerEvent.JobResult,
      (p) => {
        requireRegistered();
        return reports.submitResult(workerId, p, order);
      },
      this.logger,
    );
    onValidated(
      socket,
      WorkerEvent.JobLog,
      (p) => {
        requireRegistered();
        return decide(() => reports.log(workerId, p));
      },
      this.logger,
    );
    onValidated(
      socket,
      WorkerEvent.LoginQrCode,
      (p) => {
        requireRegistered();
        return decide(() => reports.loginQrCode(workerId, p));
      },
      this.logger,
    );
    onValidated(
      socket,
      WorkerEvent.LoginStatus,
      (p) => {
        requireRegistered();
        return decide(() => reports.loginStatus(workerId, p));
      },
      this.logger,
    );
    onValidated(
      socket,
      WorkerEvent.MessageDetected,
      (p) => {
        requireRegistered();
        return decide(() => reports.messagesDetected(workerId, p));
      },
      this.logger,
    );
    onValidated(
      socket,
      WorkerEvent.ReplyResult,
      (p) => {
        requireRegistered();
        return decide(() => reports.replyResult(workerId, p));
      },
      this.logger,
    );
    onValidated(
      socket,
      WorkerEvent.AccountBrowser,
      (p) => {
        requireRegistered();
        return browsers.reported(workerId, p);
      },
      this.logger,
    );
    onValidated(
      socket,
      WorkerEvent.StateSnapshot,
      (p) => {
        requireRegistered();
        return decide(() => reports.stateSnapshot(workerId, p)).then(() => undefined);
      },
      this.logger,
    );

    socket.on('disconnect', (reason) => {
      if (this.sockets.get(workerId) !== socket) return;
      this.sockets.delete(workerId);
      this.logger.info('worker disconnected', { workerId, reason });
      if (registered)
        scheduler
          .decide(() => scheduler.workerDisconnected(workerId, reason))
          .catch((error: unknown) => this.logger.error('could not apply a worker disconnect', { workerId, error }));
    });
  }

  isConnected(workerId: string): boolean {
    return this.sockets.get(workerId)?.connected === true;
  }

  async request<E extends MasterEventName>(workerId: string, event: E, payload: RequestPayload<E>): Promise<Ack<RequestReply<E>>> {
    const socket = this.sockets.get(workerId);
    if (!socket) return { ok: false, error: { code: 'WORKER_LOST', message: `worker ${workerId} is not connected` } };
    return requestWithAck(socket, event, payload, this.options.ackTimeoutMs ?? 10_000, `worker ${workerId}`);
  }

  disconnect(workerId: string): void {
    this.sockets.get(workerId)?.disconnect(true);
  }

  /** Cuts every worker (this master stopped leading): they reconnect and find the leader. */
  disconnectAll(): void {
    for (const socket of this.sockets.values()) socket.disconnect(true);
  }

  close(): void {
    for (const socket of this.sockets.values()) socket.disconnect(true);
    this.sockets.clear();
    this.namespace?.removeAllListeners();
  }
}
