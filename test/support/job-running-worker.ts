import { MasterEvent, WorkerEvent, createLogger, type JobRun, type WorkerStats } from '@fleetwright/shared';
import { MasterConnection } from '@fleetwright/worker';

const quiet = createLogger({ name: 'job-running-worker', console: false });
const STATS: WorkerStats = { rssBytes: 1000, browserRssBytes: 0, cpuPercent: 0, liveContexts: 0, runningJobs: 0 };

/** One `master:job:run` this worker took up as a new run (a re-sent run of an attempt it already runs is not one). */
export interface JobStart {
  jobId: string;
  attempt: number;
  workerId: string;
  /** Order among every start of every worker sharing the `ledger`. */
  seq: number;
  /** When the worker first sent this run's result (undefined: it never reported). */
  reportedAt?: number;
  /** When a master acknowledged that result. */
  acceptedAt?: number;
  /** A master's definitive refusal of the result, if it refused it. */
  refused?: string;
}

/** Every start seen by a group of workers, so a test can tell a job run twice from a job run once. */
export class RunLedger {
  readonly starts: JobStart[] = [];

  startsOf(jobId: string): JobStart[] {
    return this.starts.filter((s) => s.jobId === jobId);
  }

  /**
   * Jobs run twice: a job started more than once where a start other than its last reported a
   * result (before or after the next start: two runs whose effects both happened). Only a start
   * that never reported (its worker lost the run) may be followed by another. The workers here
   * never drop a run, so once every result is sent this is every job started twice.
   */
  duplicates(): string[] {
    const byJob = new Map<string, JobStart[]>();
    for (const s of this.starts) byJob.set(s.jobId, [...(byJob.get(s.jobId) ?? []), s]);
    return [...byJob].filter(([, starts]) => starts.slice(0, -1).some((s) => s.reportedAt !== undefined)).map(([jobId]) => jobId);
  }

  /** Jobs started more than once at all (the allowed re-dispatch of an unreported run included). */
  restarted(): string[] {
    const counts = new Map<string, number>();
    for (const s of this.starts) counts.set(s.jobId, (counts.get(s.jobId) ?? 0) + 1);
    return [...counts].filter(([, n]) => n > 1).map(([jobId]) => jobId);
  }
}

export interface JobRunningWorkerOptions {
  workerId: string;
  /** Every master's URL; the connection finds the leader among them, as a real worker does. */
  masterUrls: string[];
  token: string;
  ledger: RunLedger;
  /** How long one run takes before its result is sent. @defaultValue 100 */
  runMs?: number;
  maxAccounts?: number;
  maxConcurrency?: number;
}

/**
 * A worker without a browser that really runs jobs: it takes the accounts it is assigned, answers
 * `master:job:run`, "runs" the job for `runMs` and reports it succeeded, delivering the result until
 * a master acknowledges it (through reconnects and leader changes). Like the real worker it keeps a
 * job in its `runningJobs` until its result is acknowledged, and registers again on every connect
 * with the jobs it runs and the accounts it holds. It talks through the worker's own
 * MasterConnection, so it follows the leader down the list of masters.
 */
export class JobRunningWorker {
  readonly connection: MasterConnection;
  /** The masters that let this worker go (`io server disconnect`: a deposed leader does so), and when. */
  readonly letGoBy: { url: string; at: number }[] = [];
  private readonly running = new Map<string, JobRun>();
  private readonly held = new Map<string, number>();
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;

  constructor(private readonly options: JobRunningWorkerOptions) {
    this.connection = new MasterConnection({
      masterUrl: options.masterUrls[0]!,
      masterUrls: options.masterUrls,
      workerId: options.workerId,
      token: options.token,
      ackTimeoutMs: 5_000,
      logger: quiet,
    });
    const socket = this.connection.socket;
    socket.on(MasterEvent.TaskAssign, (assign, ack) => {
      this.held.set(assign.accountId, assign.epoch);
      ack({ ok: true, data: undefined });
    });
    socket.on(MasterEvent.TaskRevoke, (revoke, ack) => {
      if (this.held.get(revoke.accountId) === revoke.epoch) this.held.delete(revoke.accountId);
      ack({ ok: true, data: undefined });
    });
    socket.on(MasterEvent.JobRun, (run, ack) => {
      ack({ ok: true, data: undefined });
      this.take(run);
    });
    socket.on(MasterEvent.JobCancel, (_cancel, ack) => ack({ ok: true, data: undefined }));
    socket.on(MasterEvent.WorkerDrain, (_drain, ack) => ack({ ok: true, data: undefined }));
    socket.on('connect', () => void this.register());
    socket.on('disconnect', (reason) => {
      if (reason === 'io server disconnect') this.letGoBy.push({ url: this.connection.masterUrl, at: Date.now() });
    });
  }

  get id(): string {
    return this.options.workerId;
  }

  get masterUrl(): string {
    return this.connection.masterUrl;
  }

  start(): void {
    this.connection.start();
    this.heartbeatTimer = setInterval(() => {
      if (this.connection.connected) this.connection.socket.emit(WorkerEvent.Heartbeat, { stats: STATS }, () => undefined);
    }, 200);
  }

  close(): void {
    this.closed = true;
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    for (const timer of this.timers) clearTimeout(timer);
    this.connection.close();
  }

  private async register(): Promise<void> {
    await this.connection.request(WorkerEvent.Register, {
      host: 'sim-host',
      version: '0.0.0-test',
      capabilities: [{ platform: 'sandbox', jobTypes: ['crawl'] }],
      maxAccounts: this.options.maxAccounts ?? 20,
      maxConcurrency: this.options.maxConcurrency ?? 8,
      maxLiveContexts: this.options.maxAccounts ?? 20,
      runningJobs: [...this.running.values()].map((r) => ({ jobId: r.jobId, accountId: r.accountId, epoch: r.epoch, attempt: r.attempt })),
      heldAccounts: [...this.held].map(([accountId, epoch]) => ({ accountId, epoch })),
    });
  }

  /** As the real runner: a re-sent run of the attempt it already runs is the same run. */
  private take(run: JobRun): void {
    if (this.running.get(run.jobId)?.attempt === run.attempt) return;
    this.running.set(run.jobId, run);
    const ledger = this.options.ledger;
    const start: JobStart = { jobId: run.jobId, attempt: run.attempt, workerId: this.id, seq: ledger.starts.length };
    ledger.starts.push(start);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.report(run, start);
    }, this.options.runMs ?? 100);
    this.timers.add(timer);
  }

  private async report(run: JobRun, start: JobStart): Promise<void> {
    start.reportedAt = Date.now();
    // Delivered until acknowledged, through the leader's death and the move to the next one.
    const ack = await this.connection.deliver(
      WorkerEvent.JobResult,
      { jobId: run.jobId, accountId: run.accountId, epoch: run.epoch, attempt: run.attempt, status: 'succeeded', result: { by: this.id } },
      60_000,
    );
    if (this.closed) return;
    if (ack.ok) start.acceptedAt = Date.now();
    else start.refused = `${ack.error.code}: ${ack.error.message}`;
    if (this.running.get(run.jobId) === run) this.running.delete(run.jobId);
  }
}
