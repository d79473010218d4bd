import { io, type Socket } from 'socket.io-client';
import {
  MasterEvent,
  Namespace,
  WorkerEvent,
  type Ack,
  type AckCallback,
  type ErrorBody,
  type HeartbeatBrowserReport,
  type JobCancel,
  type JobRun,
  type MasterToWorkerEvents,
  type RegisterResult,
  type TaskAssign,
  type TaskRevoke,
  type WorkerStateSnapshot,
  type WorkerDrain,
  type WorkerJobResult,
  type WorkerRegister,
  type WorkerStats,
  type WorkerToMasterEvents,
} from '@fleetwright/shared';
import { waitUntil } from './wait-until.js';

/** The client side of `/worker`: the maps in reverse order. */
export type WorkerClientSocket = Socket<MasterToWorkerEvents, WorkerToMasterEvents>;

export interface SimulatedWorkerOptions {
  workerId: string;
  /** The master's base URL. */
  url: string;
  /** The fleet token presented in the handshake. */
  token: string;
  /**
   * Answer `master:task:assign` at once. When false, the ack is held until `releaseAssign()`.
   * @defaultValue true
   */
  autoAckAssign?: boolean;
  /**
   * Answer `master:job:run` at once. When false, the ack is held until `releaseRun()`.
   * @defaultValue true
   */
  autoAckRun?: boolean;
  /** Runs before `master:task:revoke` is answered, as a real worker sends its final snapshot first. */
  onRevoke?: (revoke: TaskRevoke) => Promise<void>;
  /** Send `worker:heartbeat` every this many ms once registered. @defaultValue no heartbeats */
  heartbeatEveryMs?: number;
  /**
   * Reconnect by itself when the connection drops (socket.io's own reconnection, retried every
   * 50–200 ms) and register again on each reconnect, reporting the jobs it still runs
   * (`runningJobs`) and the accounts it still holds (`heldAccounts`), as a real worker does.
   * @defaultValue false
   */
  reconnect?: boolean;
}

/** A job the worker says it is running, as `worker:register` carries it. */
export interface RunningJobRef {
  jobId: string;
  accountId: string;
  epoch: number;
  /** The attempt it runs, as a worker names it (optional in the protocol). */
  attempt?: number;
}

export const DEFAULT_STATS: WorkerStats = { rssBytes: 1000, browserRssBytes: 0, cpuPercent: 0, liveContexts: 0, runningJobs: 0 };
const REQUEST_TIMEOUT_MS = 5_000;

/**
 * A worker made of a real socket.io-client and nothing else: it registers, records what the
 * master sends it, acknowledges requests with `{ ok: true }`, and reports what the test tells it to.
 */
export class SimulatedWorker {
  readonly socket: WorkerClientSocket;
  readonly assigns: TaskAssign[] = [];
  readonly runs: JobRun[] = [];
  readonly revokes: TaskRevoke[] = [];
  readonly cancels: JobCancel[] = [];
  readonly drains: WorkerDrain[] = [];
  /** Answers of the automatic re-registrations after a reconnect (`reconnect: true`), in order. */
  readonly reregistrations: Ack<RegisterResult>[] = [];
  /** Jobs received and not yet reported finished, by job id. */
  private readonly running = new Map<string, RunningJobRef>();
  /** Accounts assigned and not revoked, with the epoch of their latest assignment. */
  private readonly held = new Map<string, number>();
  private registerOverrides: Partial<Record<keyof WorkerRegister, unknown>> = {};
  private registeredOnce = false;
  private readonly heldAssignAcks = new Map<string, AckCallback>();
  private readonly heldRunAcks = new Map<string, AckCallback>();
  private heartbeatTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: SimulatedWorkerOptions) {
    this.socket = io(`${options.url}${Namespace.Worker}`, {
      auth: { workerId: options.workerId, token: options.token },
      transports: ['websocket'],
      reconnection: options.reconnect === true,
      reconnectionDelay: 50,
      reconnectionDelayMax: 200,
      forceNew: true,
      autoConnect: false,
    });
    this.socket.on(MasterEvent.TaskAssign, (payload, ack) => {
      this.assigns.push(payload);
      this.held.set(payload.accountId, payload.epoch);
      if (this.options.autoAckAssign === false) this.heldAssignAcks.set(payload.accountId, ack);
      else ack({ ok: true, data: undefined });
    });
    this.socket.on(MasterEvent.JobRun, (payload, ack) => {
      this.runs.push(payload);
      this.running.set(payload.jobId, { jobId: payload.jobId, accountId: payload.accountId, epoch: payload.epoch, attempt: payload.attempt });
      if (this.options.autoAckRun === false) this.heldRunAcks.set(payload.jobId, ack);
      else ack({ ok: true, data: undefined });
    });
    this.socket.on(MasterEvent.TaskRevoke, (payload, ack) => {
      this.revokes.push(payload);
      if (this.held.get(payload.accountId) === payload.epoch) this.held.delete(payload.accountId);
      const before = this.options.onRevoke?.(payload) ?? Promise.resolve();
      void before.finally(() => ack({ ok: true, data: undefined }));
    });
    this.socket.on(MasterEvent.JobCancel, (payload, ack) => {
      this.cancels.push(payload);
      ack({ ok: true, data: undefined });
    });
    this.socket.on(MasterEvent.WorkerDrain, (payload, ack) => {
      this.drains.push(payload);
      ack({ ok: true, data: undefined });
    });
    if (options.reconnect) {
      this.socket.on('connect', () => {
        if (!this.registeredOnce) return;
        // As a real worker does, it says it is draining if it was told to before the drop.
        const again = { ...this.registerOverrides, runningJobs: this.runningJobRefs(), heldAccounts: this.heldAccountRefs(), draining: this.drains.length > 0 };
        this.register(again).then(
          (ack) => this.reregistrations.push(ack),
          (error: unknown) => this.reregistrations.push({ ok: false, error: { code: 'TIMEOUT', message: String(error) } }),
        );
      });
    }
  }

  get id(): string {
    return this.options.workerId;
  }

  /** Resolves once connected; rejects with the `connect_error` (its `data` carries the code). */
  connect(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`worker ${this.id}: no connect within ${REQUEST_TIMEOUT_MS} ms`)), REQUEST_TIMEOUT_MS);
      this.socket.once('connect', () => {
        clearTimeout(timer);
        resolve();
      });
      this.socket.once('connect_error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      this.socket.connect();
    });
  }

  /** Sends `worker:register`; the payload may be bent into an invalid one with `overrides`. */
  async register(overrides: Partial<Record<keyof WorkerRegister, unknown>> = {}): Promise<Ack<RegisterResult>> {
    const payload = {
      host: 'sim-host',
      version: '0.0.0-test',
      capabilities: [{ platform: 'sandbox', jobTypes: ['crawl', 'login'] }],
      maxAccounts: 10,
      maxConcurrency: 4,
      maxLiveContexts: 4,
      runningJobs: [],
      ...overrides,
    } as WorkerRegister;
    const ack = await this.socket.timeout(REQUEST_TIMEOUT_MS).emitWithAck(WorkerEvent.Register, payload);
    if (ack.ok && !this.registeredOnce) {
      this.registeredOnce = true;
      const { runningJobs: _running, heldAccounts: _held, ...rest } = overrides;
      this.registerOverrides = rest;
    }
    if (ack.ok && this.options.heartbeatEveryMs && !this.heartbeatTimer) {
      this.heartbeatTimer = setInterval(() => {
        if (this.socket.connected) this.socket.emit(WorkerEvent.Heartbeat, { stats: DEFAULT_STATS }, () => undefined);
      }, this.options.heartbeatEveryMs);
    }
    return ack;
  }

  /** Connects and registers, failing the test when the master refuses. */
  async start(overrides: Partial<Record<keyof WorkerRegister, unknown>> = {}): Promise<this> {
    await this.connect();
    const ack = await this.register(overrides);
    if (!ack.ok) throw new Error(`worker ${this.id}: register refused: ${JSON.stringify(ack.error)}`);
    return this;
  }

  /** `browsers`: the heartbeat's list of browsers not stopped. */
  heartbeat(stats: WorkerStats = DEFAULT_STATS, browsers?: HeartbeatBrowserReport[]): Promise<Ack> {
    return this.socket.timeout(REQUEST_TIMEOUT_MS).emitWithAck(WorkerEvent.Heartbeat, { stats, ...(browsers ? { browsers } : {}) });
  }

  progress(run: Pick<JobRun, 'jobId' | 'accountId' | 'epoch' | 'attempt'>, percent: number, step: string, message?: string): Promise<Ack> {
    const report = {
      jobId: run.jobId,
      accountId: run.accountId,
      epoch: run.epoch,
      attempt: run.attempt,
      percent,
      step,
      ...(message === undefined ? {} : { message }),
    };
    return this.socket.timeout(REQUEST_TIMEOUT_MS).emitWithAck(WorkerEvent.JobProgress, report);
  }

  snapshot(snapshot: WorkerStateSnapshot): Promise<Ack> {
    return this.socket.timeout(REQUEST_TIMEOUT_MS).emitWithAck(WorkerEvent.StateSnapshot, snapshot);
  }

  result(report: WorkerJobResult): Promise<Ack> {
    this.running.delete(report.jobId);
    return this.socket.timeout(REQUEST_TIMEOUT_MS).emitWithAck(WorkerEvent.JobResult, report);
  }

  succeed(run: Pick<JobRun, 'jobId' | 'accountId' | 'epoch' | 'attempt'>, result?: unknown): Promise<Ack> {
    return this.result({ jobId: run.jobId, accountId: run.accountId, epoch: run.epoch, attempt: run.attempt, status: 'succeeded', result });
  }

  fail(run: Pick<JobRun, 'jobId' | 'accountId' | 'epoch' | 'attempt'>, error: ErrorBody): Promise<Ack> {
    return this.result({ jobId: run.jobId, accountId: run.accountId, epoch: run.epoch, attempt: run.attempt, status: 'failed', error });
  }

  /** Jobs it received and has not reported finished (plus any `claimRunning` added). */
  runningJobRefs(): RunningJobRef[] {
    return [...this.running.values()];
  }

  /** Accounts assigned to it and not revoked, at the epoch of their latest assignment. */
  heldAccountRefs(): { accountId: string; epoch: number }[] {
    return [...this.held].map(([accountId, epoch]) => ({ accountId, epoch }));
  }

  /** Makes the worker claim a job it was never given, as a confused or stale worker would. */
  claimRunning(ref: RunningJobRef): void {
    this.running.set(ref.jobId, ref);
  }

  /** Answers an assignment held back by `autoAckAssign: false`: accepted, or refused with `error`. */
  releaseAssign(accountId: string, error?: ErrorBody): void {
    const ack = this.heldAssignAcks.get(accountId);
    if (!ack) throw new Error(`worker ${this.id}: no held assignment for account ${accountId}`);
    this.heldAssignAcks.delete(accountId);
    ack(error ? { ok: false, error } : { ok: true, data: undefined });
  }

  /** Answers a job:run held back by `autoAckRun: false`: taken, or refused with `error`. */
  releaseRun(jobId: string, error?: ErrorBody): void {
    const ack = this.heldRunAcks.get(jobId);
    if (!ack) throw new Error(`worker ${this.id}: no held job:run for job ${jobId}`);
    this.heldRunAcks.delete(jobId);
    if (error) this.running.delete(jobId);
    ack(error ? { ok: false, error } : { ok: true, data: undefined });
  }

  /** The n-th `master:job:run` (0-based), waiting for it up to `timeoutMs`. */
  waitForRun(n = 0, timeoutMs = 5_000): Promise<JobRun> {
    return waitUntil(`worker ${this.id} to receive job:run #${n + 1}`, () => this.runs[n], timeoutMs);
  }

  waitForAssign(accountId: string, timeoutMs = 5_000): Promise<TaskAssign> {
    return waitUntil(`worker ${this.id} to receive task:assign for ${accountId}`, () => this.assigns.find((a) => a.accountId === accountId), timeoutMs);
  }

  close(): void {
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
    this.socket.disconnect();
  }
}
