import os from 'node:os';
import {
  FLEET_VERSION,
  FleetError,
  MasterEvent,
  PluginEventReports,
  WorkerEvent,
  redactText,
  onValidated,
  type AccountBrowserCommand,
  type AccountBrowserReport,
  type WorkerMemory,
  type WorkerJobProgress,
  type WorkerJobResult,
  type StorageState,
  type WorkerStateSnapshot,
} from '@fleetwright/shared';
import { Redis } from 'ioredis';
import { BrowserManager } from './browser/browser-manager.js';
import { ProfileLocks } from './locks/profile-lock.js';
import { chromiumVersion } from './browser/chromium-version.js';
import { RemoteBrowsers } from './browser/remote-browsers.js';
import { MasterConnection } from './connection/master-connection.js';
import { CpuMeter, descendantsRssBytes } from './connection/process-stats.js';
import { AccountRegistry } from './runner/account-registry.js';
import type { JobEventReport, JobReporter } from './runner/job-reporter.js';
import { JobRunner } from './runner/job-runner.js';
import { firstLineOf } from './runner/classify-error.js';
import { resolveWorkerOptions, type ResolvedWorkerOptions, type WorkerOptions } from './worker-options.js';
import { MasterContact } from './master-contact.js';
import { LiveSessions } from './live/live-sessions.js';
import { bindLiveCommands } from './live/live-commands.js';
import type { AssignedAccount } from './runner/account-registry.js';

/**
 * A worker node: holds the accounts the master assigns, one browser profile each, and runs their
 * jobs. `close()` stops taking jobs, lets running ones finish (or hands them back), closes every
 * browser and disconnects.
 */
export class Worker {
  readonly accounts = new AccountRegistry();
  readonly browsers: BrowserManager;
  /** Live view and takeovers of the accounts held here. */
  readonly live: LiveSessions;
  readonly runner: JobRunner;
  private readonly connection: MasterConnection;
  private readonly redis: Redis | undefined;
  private readonly locks: ProfileLocks | undefined;
  private readonly cpu = new CpuMeter();
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private heartbeatIntervalMs: number;
  private draining = false;
  private browserVersion: Promise<string | undefined> | undefined;
  private closing: Promise<void> | undefined;
  private readonly masterContact: MasterContact;
  private pruneTimer: NodeJS.Timeout | undefined;
  /** Snapshots on their way to the master; shutdown gives them a moment before it disconnects. */
  private readonly pendingSnapshots = new Set<Promise<unknown>>();

  private readonly options: ResolvedWorkerOptions;

  constructor(workerOptions: WorkerOptions) {
    const options = resolveWorkerOptions(workerOptions);
    this.options = options;
    const logger = options.logger;
    this.heartbeatIntervalMs = options.heartbeatIntervalMs;
    this.connection = new MasterConnection({
      masterUrl: options.masterUrl,
      ...(options.masterUrls ? { masterUrls: options.masterUrls } : {}),
      workerId: options.workerId,
      token: options.token,
      ...(options.renewToken ? { renewToken: options.renewToken } : {}),
      logger,
    });
    if (options.redisUrl) {
      this.redis = new Redis(options.redisUrl, { maxRetriesPerRequest: 1, lazyConnect: false });
      this.redis.on('error', (error) => logger.warn('redis error', { error: error.message }));
      this.locks = new ProfileLocks({ redis: this.redis, prefix: options.redisPrefix, logger });
    }
    const remote = options.remoteBrowser?.cdpUrl || options.remoteBrowser?.launcherUrl ? new RemoteBrowsers({ ...options.remoteBrowser, logger }) : undefined;
    this.browsers = new BrowserManager({
      ...(remote ? { remote } : {}),
      ...(this.locks ? { leases: this.locks } : {}),
      onLeaseLost: (accountId, error) => this.runner.abortAccount(accountId, error),
      onContextCrashed: (accountId, error) => this.runner.abortAccount(accountId, error),
      dataDir: options.dataDir,
      chromiumPath: options.chromiumPath,
      ...(options.chromiumSandbox !== undefined ? { chromiumSandbox: options.chromiumSandbox } : {}),
      fenceOriginsOf: (accountId) => {
        const platform = this.accounts.get(accountId)?.platform;
        return options.plugins.find((p) => p.platform === platform)?.fenceOrigins ?? [];
      },
      headless: options.headless,
      maxLiveContexts: options.maxLiveContexts,
      onSnapshot: (accountId, state) => this.sendSnapshot(accountId, state),
      onBrowserState: (report) => this.sendBrowserState(report),
      ...(options.recycleAfterJobs ? { recycleAfterJobs: options.recycleAfterJobs } : {}),
      ...(options.recycleAfterMs ? { recycleAfterMs: options.recycleAfterMs } : {}),
      ...(options.browserMode ? { browserMode: options.browserMode } : {}),
      ...(options.contextsPerBrowser ? { contextsPerBrowser: options.contextsPerBrowser } : {}),
      ...(options.contextIdleMs !== undefined ? { contextIdleMs: options.contextIdleMs } : {}),
      ...(options.sparePageIdleMs !== undefined ? { sparePageIdleMs: options.sparePageIdleMs } : {}),
      ...(options.memoryLimitMb ? { memoryLimitMb: options.memoryLimitMb } : {}),
      logger,
    });
    this.live = new LiveSessions({
      idlePageOf: (accountId) => this.browsers.keepAlivePageOf(accountId),
      epochOf: (accountId) => this.accounts.get(accountId)?.epoch,
      sendFrame: async (frame) => void (await this.connection.request(WorkerEvent.LiveFrame, frame)),
      sendState: async (state) => {
        const ack = await this.connection.request(WorkerEvent.LiveState, state);
        if (!ack.ok) throw FleetError.fromJSON(ack.error);
      },
      logger,
    });
    const reporter: JobReporter = {
      progress: (report: WorkerJobProgress) => void this.connection.request(WorkerEvent.JobProgress, report),
      log: (report) => void this.connection.request(WorkerEvent.JobLog, report),
      result: async (report: WorkerJobResult) => void (await this.connection.deliver(WorkerEvent.JobResult, report)),
      stateSnapshot: async (snapshot: WorkerStateSnapshot) => void (await this.connection.deliver(WorkerEvent.StateSnapshot, snapshot)),
      uploadArtifact: (jobId, name, file, attempt) => this.connection.uploadArtifact(jobId, name, file, attempt),
      humanNeeded: async (report) => {
        const ack = await this.connection.deliver(WorkerEvent.HumanNeeded, report);
        if (!ack.ok) throw FleetError.fromJSON(ack.error);
      },
      jobEvent: async (report: JobEventReport) => {
        const ack = await this.connection.deliver(PluginEventReports[report.event], report.payload as never);
        if (!ack.ok) throw FleetError.fromJSON(ack.error);
      },
    };
    this.runner = new JobRunner(
      options.plugins,
      this.accounts,
      this.browsers,
      reporter,
      {
        dataDir: options.dataDir,
        maxConcurrency: options.maxConcurrency,
        ...(options.trace ? { trace: options.trace } : {}),
        ...(options.traceOnFailure !== undefined ? { traceOnFailure: options.traceOnFailure } : {}),
        ...(options.recordVideo ? { recordVideo: options.recordVideo } : {}),
        logger,
      },
      this.live,
    );
    this.masterContact = new MasterContact(options.masterLossTimeoutMs, (silentMs) => void this.stopAccountsForMasterLoss(silentMs));
    this.bindMasterEvents();
  }

  /**
   * A hibernated or closed context's state goes to the master, the truth for the next open.
   * Sent in the background: a close (and the lock it gives back) never waits for a master that may
   * be unreachable; the browser manager keeps the state, with the version returned here, until the
   * next open.
   */
  private sendSnapshot(accountId: string, state: StorageState): number | undefined {
    const account = this.accounts.get(accountId);
    if (!account) return undefined;
    account.storageState = state;
    account.storageStateVersion += 1;
    const delivery = this.connection.deliver(
      WorkerEvent.StateSnapshot,
      { accountId, epoch: account.epoch, version: account.storageStateVersion, storageState: state },
      60_000,
    );
    this.pendingSnapshots.add(delivery);
    void delivery.finally(() => this.pendingSnapshots.delete(delivery));
    return account.storageStateVersion;
  }

  /**
   * The last state of an account this worker no longer owns: newer than anything the master has,
   * since this worker held the account until now. Waited for (bounded), since the local copy is
   * deleted right after.
   */
  private async sendFinalSnapshot(account: AssignedAccount, state: StorageState): Promise<void> {
    const version = account.storageStateVersion + 1;
    const ack = await this.connection.deliver(
      WorkerEvent.StateSnapshot,
      { accountId: account.accountId, epoch: account.epoch, version, storageState: state },
      10_000,
    );
    if (!ack.ok)
      this.options.logger.warn('the master did not take the final state of a revoked account', { accountId: account.accountId, code: ack.error.code });
  }

  /** Tells the master at once; heartbeats carry the full list, so a lost one heals. */
  private sendBrowserState(report: AccountBrowserReport): void {
    const account = this.accounts.get(report.accountId);
    if (!account || !this.connection.socket.connected) return;
    void this.connection.request(WorkerEvent.AccountBrowser, { ...report, epoch: account.epoch });
  }

  /** Start warms the account's context; stop hibernates it (snapshot to the master, close, keep the directory). */
  private async controlBrowser(command: AccountBrowserCommand): Promise<AccountBrowserReport> {
    const account = this.accounts.get(command.accountId);
    if (!account) throw new FleetError('NOT_OWNER', `account ${command.accountId} is not assigned to this worker`, { field: 'accountId' });
    if (account.epoch !== command.epoch)
      throw new FleetError('STALE_EPOCH', `epoch ${command.epoch} differs from the assignment's ${account.epoch}`, { field: 'epoch' });
    if (command.action === 'start') {
      if (this.draining) throw new FleetError('NO_CAPACITY', 'the worker is draining and opens no browsers');
      try {
        await this.browsers.open(account);
      } catch (error) {
        if (error instanceof FleetError && (error.code === 'LOCK_BUSY' || error.code === 'LOCK_UNAVAILABLE')) throw error;
        throw new FleetError('BROWSER_START_FAILED', `could not open the browser of account ${command.accountId}: ${redactText(firstLineOf(error))}`);
      }
    } else if (command.action === 'reset') {
      return this.resetAccount(command.accountId);
    } else {
      const busy = (): FleetError => new FleetError('ACCOUNT_BUSY', `account ${command.accountId} has a job running; stop its browser after the job ends`);
      if (this.runner.hasUnreportedJobFor(command.accountId)) throw busy();
      // A job the master already counts as done may still be uploading its files: worth a short wait.
      if (!(await this.runner.settled(command.accountId, 5000)) || this.runner.hasJobFor(command.accountId)) throw busy();
      await this.browsers.closeContext(command.accountId, { snapshot: true });
    }
    return this.browsers.states.get(command.accountId);
  }

  get id(): string {
    return this.options.workerId;
  }

  start(): void {
    // Before any assignment can launch a browser: what a dead predecessor left on our profiles goes.
    void this.browsers.start();
    // What an earlier run left under jobs/ (it died before uploading); never rejects.
    void this.runner.removeLeftoverJobDirs();
    this.connection.socket.on('connect', () => void this.register());
    this.connection.socket.on('disconnect', (reason) => this.options.logger.warn('disconnected from the master', { reason }));
    this.connection.start();
    this.masterContact.start();
  }

  /**
   * Force reset of a stuck profile: the running job fails with `BROWSER_RESET` (retryable), the
   * context is closed (killed when it will not close in time) and opens again under a new lease.
   */
  async resetAccount(accountId: string): Promise<AccountBrowserReport> {
    const account = this.accounts.get(accountId);
    if (!account) throw new FleetError('NOT_OWNER', `account ${accountId} is not assigned to this worker`, { field: 'accountId' });
    this.runner.abortAccount(accountId, new FleetError('BROWSER_RESET', `an operator reset the browser of account ${accountId}`));
    await this.browsers.reset(account);
    return this.browsers.states.get(accountId);
  }

  /**
   * Cut off from the master for longer than it keeps our accounts: someone else may own them
   * soon, and a lock we keep would refuse that owner forever. Jobs are aborted (the master has
   * requeued them), contexts snapshotted into the local cache and closed, locks given back. The
   * assignments stay: a registration reports them, and the master gives back what is still ours.
   */
  private async stopAccountsForMasterLoss(silentMs: number): Promise<void> {
    const live = this.browsers.liveAccountIds();
    if (live.length === 0 && this.runner.runningCount === 0) return;
    this.options.logger.warn("no answer from the master; stopping this worker's accounts so their profiles are free", {
      silentMs,
      accounts: live.length,
      runningJobs: this.runner.runningCount,
    });
    for (const accountId of this.accounts.ids())
      this.runner.abortAccount(accountId, new FleetError('WORKER_LOST', 'the worker lost contact with the master', { retryable: true }));
    await Promise.allSettled(live.map((accountId) => this.browsers.closeContext(accountId, { snapshot: true })));
  }

  private async register(): Promise<void> {
    this.browserVersion ??= chromiumVersion(this.options.chromiumPath);
    const browserVersion = await this.browserVersion;
    const ack = await this.connection.request(WorkerEvent.Register, {
      ...(browserVersion ? { browserVersion } : {}),
      host: os.hostname(),
      version: FLEET_VERSION,
      capabilities: this.runner.capabilities(),
      maxAccounts: this.options.maxAccounts,
      maxConcurrency: this.options.maxConcurrency,
      maxLiveContexts: this.options.maxLiveContexts,
      runningJobs: this.runner.runningJobs(),
      heldAccounts: this.accounts.ids().map((accountId) => ({ accountId, epoch: this.accounts.get(accountId)!.epoch })),
      draining: this.draining,
    });
    if (!ack.ok) {
      this.options.logger.error('the master refused registration', { error: ack.error });
      return;
    }
    this.masterContact.answered();
    this.schedulePrune(ack.data.ownedAccountIds);
    this.heartbeatIntervalMs = ack.data.heartbeatIntervalMs;
    this.masterContact.heartbeatEvery(this.heartbeatIntervalMs);
    this.options.logger.info('registered with the master', { workerId: this.id, heartbeatIntervalMs: this.heartbeatIntervalMs });
    this.startHeartbeat();
    // At once, not an interval later: a restarted master learns the live browsers and stats now.
    void this.heartbeat();
    void this.live.reportState();
  }

  private startHeartbeat(): void {
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = setInterval(() => void this.heartbeat(), this.heartbeatIntervalMs);
    this.heartbeatTimer.unref();
  }

  /**
   * Profiles of accounts the master did not give back after this registration go (moved, deleted):
   * at once when the master listed what this worker owns, else once its assignments had time to come.
   */
  private schedulePrune(owned: readonly string[] | undefined): void {
    clearTimeout(this.pruneTimer);
    if (owned) {
      void this.browsers.pruneProfiles(new Set([...owned, ...this.accounts.ids()]));
      return;
    }
    this.pruneTimer = setTimeout(() => {
      if (this.closing || !this.connection.connected) return;
      void this.browsers.pruneProfiles(new Set(this.accounts.ids()));
    }, this.options.profilePruneDelayMs);
    this.pruneTimer.unref();
  }

  private memoryStats(): WorkerMemory {
    const reading = this.browsers.memoryReading();
    return { limitBytes: Math.round(reading.limitBytes), browserPssBytes: Math.round(reading.usedBytes), underPressure: reading.underPressure };
  }

  async heartbeat(): Promise<void> {
    const ack = await this.connection.request(WorkerEvent.Heartbeat, {
      stats: {
        rssBytes: process.memoryUsage().rss,
        browserRssBytes: descendantsRssBytes(),
        cpuPercent: this.cpu.sample(),
        liveContexts: this.browsers.liveCount,
        runningJobs: this.runner.runningCount,
        hibernatedContexts: this.browsers.hibernatedCount,
        memory: this.memoryStats(),
        ...(this.locks ? { lockAcquisitions: this.locks.acquisitions, lockLosses: this.locks.losses } : {}),
      },
      // Each entry names the epoch it is held under, so the master applies only current owners' states.
      browsers: this.browsers.states.all().map((report) => {
        const epoch = this.accounts.get(report.accountId)?.epoch;
        return epoch === undefined ? report : { ...report, epoch };
      }),
    });
    if (ack.ok) this.masterContact.answered();
  }

  private bindMasterEvents(): void {
    const logger = this.options.logger;
    const socket = this.connection.socket;
    onValidated(
      socket,
      MasterEvent.TaskAssign,
      async (task) => {
        const previous = this.accounts.get(task.accountId);
        // The master's state wins over a cached one of ours unless ours is strictly newer.
        this.browsers.masterStateAt(task.accountId, task.storageStateVersion);
        const account = this.accounts.assign(task);
        logger.info('account assigned', { accountId: task.accountId, epoch: task.epoch });
        // An edit (PATCH) redelivers the assignment: new proxy or device settings need a new launch.
        if (previous && (previous.proxy !== account.proxy || JSON.stringify(previous.deviceProfile) !== JSON.stringify(account.deviceProfile))) {
          await this.browsers.settingsChanged(task.accountId);
        }
        // Warm the profile now, within the live cap, so the first job does not pay the launch.
        if (!this.draining && this.browsers.hasRoom()) {
          this.browsers.open(account).catch((error: unknown) => logger.warn('could not open a browser profile', { accountId: task.accountId, error }));
        }
      },
      logger,
    );
    onValidated(
      socket,
      MasterEvent.TaskRevoke,
      async (revoke) => {
        const current = this.accounts.get(revoke.accountId);
        if (!current || current.epoch > revoke.epoch) return; // already moved on to a newer epoch
        this.runner.abortAccount(revoke.accountId, new FleetError('STALE_EPOCH', `assignment revoked: ${revoke.reason}`, { retryable: true }));
        this.accounts.revoke(revoke.accountId);
        this.live.forget(revoke.accountId);
        // Its last state goes to the master, then the local copy (cache and profile directory,
        // with live session cookies) goes: if the account comes back, the master's state is the truth.
        await this.browsers.retire(revoke.accountId, (state) => this.sendFinalSnapshot(current, state));
      },
      logger,
    );
    onValidated(socket, MasterEvent.JobRun, (run) => this.runner.accept(run), logger);
    onValidated(
      socket,
      MasterEvent.JobCancel,
      (cancel) => {
        if (!this.runner.cancel(cancel.jobId, cancel.reason))
          throw new FleetError('JOB_NOT_FOUND', `job ${cancel.jobId} is not running here`, { field: 'jobId' });
      },
      logger,
    );
    onValidated(socket, MasterEvent.AccountBrowser, (command) => this.controlBrowser(command), logger);
    bindLiveCommands(socket, this.live, this.accounts, logger);
    onValidated(
      socket,
      MasterEvent.WorkerDrain,
      (drain) => {
        this.draining = true;
        logger.info('draining', { reason: drain.reason });
      },
      logger,
    );
  }

  /** Idempotent: finish or hand back jobs, close browsers, disconnect. Each step runs even if one fails. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.draining = true;
      const steps: [string, () => Promise<unknown> | unknown][] = [
        ['drain jobs', () => this.runner.drain(this.options.drainTimeoutMs)],
        [
          'timers',
          () => {
            clearInterval(this.heartbeatTimer);
            clearTimeout(this.pruneTimer);
            return this.masterContact.close();
          },
        ],
        ['live view', () => this.live.close()],
        ['browsers', () => this.browsers.close()],
        ['snapshots', () => settledWithin([...this.pendingSnapshots], 10_000)],
        ['locks', () => this.locks?.releaseAll()],
        ['redis', () => this.redis?.quit()],
        ['connection', () => this.connection.close()],
      ];
      for (const [name, step] of steps) {
        try {
          await step();
        } catch (error) {
          this.options.logger.error('worker close step failed', { step: name, error });
        }
      }
    })();
    return this.closing;
  }
}

/** Waits for the promises to settle, at most `ms`. */
async function settledWithin(promises: Promise<unknown>[], ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.allSettled(promises), new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}
