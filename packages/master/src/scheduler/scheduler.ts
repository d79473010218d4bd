import { EventEmitter } from 'node:events';
import { FleetError, MasterEvent, type JobView, type Logger, type RunningJobRef, type WorkerStats } from '@fleetwright/shared';
import type { FleetBackend } from '../store/backend/fleet-backend.js';
import type { AccountOwnership, AccountRow, AccountSecrets } from '../store/backend/records.js';
import type { DispatchMove, JobRow, RunnableJob } from '../store/backend/records.js';
import type { OwnedAccount, WorkerCapacity, WorkerRow } from '../store/backend/records.js';
import type { SchedulerEvents } from './scheduler-events.js';
import type { SchedulerOptions } from './scheduler-options.js';
import type { WorkerLinks } from './worker-links.js';
import type { FleetEvents } from '../events/fleet-events.js';
import { JobLifecycle } from '../jobs/job-lifecycle.js';
import { generateDeviceProfile } from '../accounts/device-profiles.js';
import { viewWithoutExtras } from '../store/backend/job-views.js';
import { PoolAccounts, type PoolWalk } from './pool-accounts.js';
import { DecisionQueue } from './decision-queue.js';
import { HeartbeatBatch } from './heartbeat-batch.js';
import type { AccountBrowsers } from '../accounts/account-browsers.js';
import { underMemoryPressure } from './memory-pressure.js';
import { FleetLimits } from '../limits/fleet-limits.js';
import { WorkerCapabilities } from './worker-capabilities.js';

/**
 * The fleet's judge: gives accounts owners (with epochs), dispatches each account's jobs to its
 * owner one at a time within the worker's concurrency, and notices lost workers.
 * Every decision runs on the DecisionQueue (`decide`), so two decisions never interleave; the
 * methods not marked as decisions of their own run inside one.
 */
export class Scheduler extends EventEmitter<SchedulerEvents> {
  /** Per connected worker: the epoch of each account whose assignment it acknowledged. */
  private readonly delivered = new Map<string, Map<string, number>>();
  /** Assignments sent and not yet answered, by `worker/account/epoch`, with the connection they went to. */
  private readonly inFlightAssign = new Map<string, number>();
  /**
   * Per account, how many times its assignment was asked to go again (an edit): an answer to a
   * delivery sent before the latest ask does not count as delivered, since it carried old secrets.
   */
  private readonly assignRevision = new Map<string, number>();
  private connectionSeq = 0;
  private readonly connectionOf = new Map<string, number>();
  /** Accounts whose secrets did not open (wrong FLEET_SECRET_KEY): logged once, not retried each pass. */
  private readonly unreadable = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private tickQueued = false;
  /** Set when ownership may need work (accounts added, workers came or went, assignments acked). */
  private assignmentsDirty = true;
  /**
   * Accounts whose owner may not have acknowledged their current epoch. Passes deliver these rather
   * than read every owned account, which cost 29 ms a pass at 10,000 accounts (once a second, and
   * once per account created). Filled wherever an assignment can go stale: a new owner, a worker
   * that (re)registers, a refused or lost delivery, an edit; a sweep now and then is the backstop.
   */
  private readonly undelivered = new Set<string>();
  /** Accounts whose connected owner is letting go (revoke sent, its answer awaited). */
  private readonly handingOver = new Set<string>();
  /**
   * Accounts that may have queued jobs: every account a job is queued for is added, and one is
   * dropped when a look finds none left. A pass asks each idle one for its next job instead of
   * reading the queue in order, which walked every queued job of every busy account.
   */
  private readonly queuedAccounts = new Set<string>();
  /** Accounts whose queued jobs are all for later, with when the first is due: not asked again before. */
  private readonly queuedFor = new Map<string, number>();
  /**
   * When a pool job (one with no account yet) may next be due. Every pass read the pool queue,
   * which at bench:scale's load (no pool jobs) was empty every time. A pool job queued here moves
   * this to its run_after; an empty read to a second later, the backstop for one queued elsewhere.
   */
  private poolJobsDueAt = 0;
  /**
   * Offline workers, with when their jobs and accounts move on: sooner after a closed connection
   * than after a silent one (see `workerDisconnected`). A worker missing here (offline since before
   * this master started) is given the silent grace from its `disconnected_at`.
   */
  private readonly failoverAt = new Map<string, number>();
  /**
   * Offline workers whose fail-over left nothing with them: not read again each pass. Only the
   * worker registering again gives it accounts or jobs, and that takes it out.
   */
  private readonly failedOver = new Set<string>();
  /**
   * Jobs sent to a worker and still `dispatched`, with that dispatch's time: a worker's answer to
   * job:run is a decision only while its dispatch is the job's current one. A quick job's answer
   * usually comes after its result (the worker sends both at once), and then needs none.
   */
  private readonly awaitingRunAnswer = new Map<string, number>();
  /** Each pool's accounts and their ownership, in memory: a pool pick reads no rows. */
  private readonly pools: PoolAccounts;
  private fullPasses = 0;
  private closed = false;
  readonly options: Required<Omit<SchedulerOptions, 'fence'>>;
  /** The one place jobs move; commands and worker reports ask it too. */
  readonly jobs: JobLifecycle;
  private readonly decisions: DecisionQueue;
  private readonly heartbeats: HeartbeatBatch<OwnedAccount[]>;
  /** What a job's change sets off in the same decision (a parent's progress, a monitor's next run). */
  private readonly jobFollowers: ((job: JobView) => Promise<void> | undefined)[] = [];
  /** Rate limits, concurrency caps and the platforms' pauses: what may start where (see FleetLimits). */
  readonly limits: FleetLimits;
  /** What the workers declare, by platform: read when the lead starts and on each registration. */
  readonly capabilities: WorkerCapabilities;

  constructor(
    private readonly store: FleetBackend,
    private readonly links: WorkerLinks,
    private readonly logger: Logger,
    options: SchedulerOptions,
    private readonly events: FleetEvents,
    /** The workers' browser states (memory): a worker that goes away takes its reports with it. */
    private readonly browsers: Pick<AccountBrowsers, 'workerGone'>,
  ) {
    super();
    this.decisions = new DecisionQueue(store, logger, options.fence);
    this.heartbeats = new HeartbeatBatch(
      (beats) =>
        this.decide(async () => {
          const owned = new Map<string, OwnedAccount[]>();
          for (const { row, owned: accounts } of await this.store.workers.heartbeatMany(beats)) {
            this.emitWorkerRow(row);
            owned.set(row.id, accounts);
          }
          return owned;
        }),
      HEARTBEAT_BATCH_MS,
    );
    events.sendAfterCommit((send) =>
      store.afterCommit(() => {
        try {
          send();
        } catch (error) {
          logger.error('a listener of the fleet events failed', { error });
        }
      }),
    );
    this.pools = new PoolAccounts(store.accounts);
    this.capabilities = new WorkerCapabilities(store.workers);
    this.options = {
      missedHeartbeats: 3,
      defaultJobTimeoutMs: 300_000,
      defaultMaxAttempts: 3,
      tickIntervalMs: 1000,
      retryBaseMs: 1000,
      accountFailoverMs: 60_000,
      closedConnectionFailoverMs: 5_000,
      ...options,
    };
    this.jobs = new JobLifecycle(
      store,
      { changed: (row, view) => this.jobChanged(row, view), schedule: () => this.schedule() },
      { retryBaseMs: this.options.retryBaseMs },
      logger,
      this.capabilities,
    );
    this.limits = new FleetLimits(store, {
      schedule: () => this.schedule(),
      limitsChanged: () => {
        this.queuedFor.clear();
        this.schedule();
      },
      progressed: (view) => this.jobProgressed(view),
    });
    this.onJobChange((view) => void this.limits.jobChanged(view));
  }

  async start(): Promise<void> {
    this.pause();
    // Another master may have led meanwhile: what was settled here is read again.
    this.failedOver.clear();
    await this.decide(async () => {
      await this.store.workers.markAllOffline();
      await this.capabilities.load();
      await this.limits.start();
      for (const accountId of await this.store.jobs.accountsWithQueuedJobs()) this.queuedAccounts.add(accountId);
      this.poolJobsDueAt = 0;
    });
    this.timer = setInterval(() => void this.tick(true), this.options.tickIntervalMs);
    this.timer.unref();
  }

  /** Stops the timer's passes (this master no longer leads); `start()` resumes them from the store. */
  pause(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.awaitingRunAnswer.clear();
    this.limits.unload();
  }

  async close(): Promise<void> {
    await this.heartbeats.close().catch(() => undefined);
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.limits.close();
    await this.decisions.close();
  }

  /** Resolves once every decision queued before the call is decided and what it announced is sent (DecisionQueue.settled). */
  decided(): Promise<void> {
    return this.decisions.settled();
  }

  /**
   * Runs `decide` as a decision: after every decision queued before it, never beside another, its
   * writes landing together (see DecisionQueue). The fleet's entry points (worker reports, commands,
   * timers) each run in one; code already inside a decision calls on directly, never through here.
   * `alone`, `last`: see DecisionQueue.run.
   */
  decide<T>(decide: () => Promise<T>, options?: { alone?: boolean; last?: boolean }): Promise<T> {
    return this.decisions.run(decide, options);
  }

  /** How many decisions have been queued so far: the position of the last one queued (see GatheredDecisions). */
  get queuedCount(): number {
    return this.decisions.queued;
  }

  /** Something about accounts or their owners changed: the next pass revisits assignments. */
  accountsChanged(): void {
    this.assignmentsDirty = true;
    this.schedule();
  }

  /**
   * Coalesces triggers into one pass: those that come while the pass waits in the decision queue
   * behind other decisions (those of this turn included), since it has not read anything yet. The
   * pass joins the queue at once, so a decision that frees a slot is followed by the pass that
   * fills it without waiting for another turn of the event loop.
   */
  schedule(): void {
    if (this.tickQueued || this.closed) return;
    this.tickQueued = true;
    void this.tick();
  }

  /**
   * One pass. The timer's passes (`full`) also check liveness and timers and revisit every
   * assignment; passes triggered by events only assign when something about ownership changed
   * and then dispatch, which keeps the per-job cost flat as accounts grow. A pass is a decision
   * that commits before its workers hear of their jobs, and after the reports queued before it.
   */
  async tick(full = false): Promise<void> {
    if (this.closed) return;
    try {
      // The job:run messages go out once the pass has committed.
      const sends = await this.decide(
        () => {
          // From here on the pass reads the fleet: what changes after needs a pass of its own.
          if (!full) this.tickQueued = false;
          return this.pass(full);
        },
        // On PostgreSQL a pass ends the batch in progress instead of taking a transaction of its
        // own, whose BEGIN, fence and COMMIT were a third of a pass's round trips. On SQLite, and
        // for a full pass (which writes more), it goes alone (see DecisionQueue.run).
        full || !this.store.cheapSavepoints ? { alone: true } : { last: true },
      );
      for (const { row, workerId } of sends) this.sendJob(row, workerId);
      if (full) this.emit('tick');
    } catch (error) {
      if (!this.closed) this.logger.error('scheduler pass failed', { error });
    }
  }

  private async pass(full: boolean): Promise<{ row: JobRow; workerId: string }[]> {
    // A full pass reads the workers once, for liveness and for assignment (1,000 rows a second at bench:scale's size).
    const workers = full ? await this.store.workers.all() : undefined;
    if (workers) await this.checkLiveness(workers);
    const sweep = full && this.fullPasses++ % SWEEP_EVERY_FULL_PASSES === 0;
    if (sweep) {
      for (const accountId of await this.store.jobs.accountsWithQueuedJobs()) this.queuedAccounts.add(accountId);
      this.poolJobsDueAt = 0;
    }
    if (full || this.assignmentsDirty) {
      this.assignmentsDirty = false;
      await this.assignAccounts(sweep, workers);
    }
    return this.pickAndMark();
  }

  // ---- workers -------------------------------------------------------------------------------

  /**
   * A worker (re)registered: reconcile what it says it runs with what we think it runs. A job the
   * master has on this worker and the worker still runs under the same epoch (and attempt, when
   * the worker names it) stays there: a worker lists a job until its result is acknowledged, so
   * one that finished while away is listed too, and its result follows. A job the worker no
   * longer runs, or runs as another attempt, goes back to the queue as its next attempt (or ends
   * `cancelled` if a cancel was asked of it). What it runs that is not its own, as the master
   * sees it, is returned, to be cancelled there.
   */
  async workerRegistered(worker: WorkerRow, running: RunningJobRef[]): Promise<string[]> {
    this.failoverAt.delete(worker.id);
    this.failedOver.delete(worker.id);
    await this.capabilities.load();
    this.limits.capabilitiesChanged();
    this.delivered.set(worker.id, new Map());
    // A new connection: what was sent on the old one will never be answered, so send it again.
    this.connectionSeq += 1;
    this.connectionOf.set(worker.id, this.connectionSeq);
    this.forgetInFlight(worker.id);
    for (const accountId of await this.store.accounts.idsOwnedBy(worker.id)) this.undelivered.add(accountId);
    this.assignmentsDirty = true;
    const listed = new Map(running.map((ref) => [ref.jobId, ref]));
    for (const job of await this.store.jobs.activeForWorker(worker.id)) {
      const ref = listed.get(job.id);
      if (ref && runsThisAttempt(ref, job)) await this.keepRunning(job);
      else await this.jobs.lost(job, ref ? 'worker runs another attempt of this job' : 'worker restarted without this job');
    }
    const toCancel: string[] = [];
    for (const ref of running) {
      const job = await this.store.jobs.row(ref.jobId);
      if (!job || job.worker_id !== worker.id || (job.status !== 'running' && job.status !== 'dispatched') || !runsThisAttempt(ref, job))
        toCancel.push(ref.jobId);
    }
    await this.emitWorker(worker.id);
    this.schedule();
    return toCancel;
  }

  /**
   * The worker still runs a job the master has on it: a dispatched one whose job:run answer was
   * lost is running; a cancel asked of it before the worker went away is asked again (the worker
   * ignores a repeat), since the worker may not have got it.
   */
  private async keepRunning(job: JobRow): Promise<void> {
    const row = job.status === 'dispatched' ? await this.jobs.started(job, { reconciled: true }) : job;
    if (row.cancel_requested_at !== null && row.worker_id) {
      void this.links.request(row.worker_id, MasterEvent.JobCancel, { jobId: row.id, reason: 'cancelled by request' });
    }
  }

  /** Records a worker's heartbeat (with others that arrive with it, see HeartbeatBatch); resolves once written. */
  /** Records the heartbeat (with others, see HeartbeatBatch); answers the accounts the worker owns as it was written (none if it is unknown). */
  async workerHeartbeat(workerId: string, stats: WorkerStats): Promise<OwnedAccount[]> {
    return (await this.heartbeats.add(workerId, stats)) ?? [];
  }

  /**
   * The worker's connection ended. Its jobs and accounts stay with it for a grace period, so a
   * worker that comes back keeps them. `reason` is Socket.IO's: when the connection was closed
   * (the peer's TCP connection closed, as when its process dies, or the worker disconnected on
   * purpose) the grace is `closedConnectionFailoverMs`; when the peer fell silent (ping timeout,
   * missed heartbeats) it may still be running, cut off, and the grace is `accountFailoverMs`.
   */
  async workerDisconnected(workerId: string, reason?: string): Promise<void> {
    const graceMs =
      reason !== undefined && CLOSED_CONNECTION_REASONS.has(reason)
        ? Math.min(this.options.closedConnectionFailoverMs, this.options.accountFailoverMs)
        : this.options.accountFailoverMs;
    // A second notice of one loss (the liveness check disconnects, then the socket reports it) keeps the first deadline.
    if (!this.failoverAt.has(workerId)) this.failoverAt.set(workerId, Date.now() + graceMs);
    this.failedOver.delete(workerId);
    this.delivered.delete(workerId);
    this.connectionOf.delete(workerId);
    this.forgetInFlight(workerId);
    this.assignmentsDirty = true;
    const row = await this.store.workers.row(workerId);
    if (row && row.status !== 'offline') await this.store.workers.setStatus(workerId, 'offline');
    this.browsers.workerGone(workerId);
    await this.emitWorker(workerId);
    this.schedule();
  }

  private async checkLiveness(workers: readonly WorkerRow[]): Promise<void> {
    const now = Date.now();
    const limit = this.options.heartbeatIntervalMs * this.options.missedHeartbeats;
    for (const worker of workers) {
      if (worker.status !== 'offline' && worker.last_heartbeat_at !== null && now - worker.last_heartbeat_at > limit) {
        this.logger.warn('worker missed its heartbeats; marking it offline', { workerId: worker.id });
        await this.workerDisconnected(worker.id, 'missed heartbeats');
        this.links.disconnect(worker.id);
      } else if (worker.status === 'offline' && worker.disconnected_at !== null) {
        if (this.failedOver.has(worker.id)) continue;
        if (now >= (this.failoverAt.get(worker.id) ?? worker.disconnected_at + this.options.accountFailoverMs)) await this.failOver(worker.id);
      } else if (worker.status === 'draining' && (await this.store.jobs.activeForWorker(worker.id)).length === 0) {
        await this.releaseAccounts(worker.id, 'owner drained');
      }
    }
    await this.expireLeases(now, limit);
  }

  /**
   * An offline worker's grace is over: its jobs go back to the queue as their next attempt and its
   * accounts move to a new epoch, in one pass, so nothing is dispatched in between. Until then its
   * jobs stayed with it, since it may still be running them; from now on the old attempts are
   * fenced (their reports carry the old epoch and are refused), so a new attempt never runs
   * beside one the master still counts on.
   */
  private async failOver(workerId: string): Promise<void> {
    for (const job of await this.store.jobs.activeForWorker(workerId)) await this.jobs.lost(job, 'worker offline');
    if (await this.releaseAccounts(workerId, 'owner offline')) return;
    // Once the pass commits: rolled back, its moves are to be made again.
    this.store.afterCommit(() => this.failedOver.add(workerId));
  }

  /**
   * The worker's accounts lose their owner (and move to a new epoch), so the next pass gives them
   * to other capable workers; anything the old owner still reports is stale from now on. Returns
   * whether some stay with it for now (busy, or being handed over).
   */
  private async releaseAccounts(workerId: string, reason: string): Promise<boolean> {
    const accounts = await this.store.accounts.ownedBy(workerId);
    if (accounts.length === 0) return false;
    let released = false;
    let kept = false;
    const busy = await this.store.jobs.activeAccountIds();
    for (const account of accounts) {
      if (busy.has(account.id) || this.handingOver.has(account.id)) {
        kept = true;
        continue;
      }
      if (this.links.isConnected(workerId)) {
        void this.handOver(workerId, account.id, account.epoch, reason);
        kept = true;
        continue;
      }
      await this.unassign(workerId, account.id, reason);
      released = true;
    }
    if (released) this.accountsChanged();
    return kept;
  }

  /**
   * A connected owner lets go first, under the epoch it holds, so the final snapshot it sends
   * before it answers is still its own to give; only then does the account move to a new epoch.
   * Bumping the epoch first would refuse that snapshot as stale and lose the newest session.
   * Decisions of its own: the worker's answer is awaited outside any.
   */
  private async handOver(workerId: string, accountId: string, epoch: number, reason: string): Promise<void> {
    this.handingOver.add(accountId);
    try {
      const ack = await this.links.request(workerId, MasterEvent.TaskRevoke, { accountId, epoch, reason });
      if (!ack.ok) this.logger.warn('worker did not confirm letting go of an account; moving it anyway', { accountId, workerId, error: ack.error });
    } finally {
      this.handingOver.delete(accountId);
    }
    await this.decide(async () => {
      const current = await this.store.accounts.ownershipOf(accountId);
      // Deleted, or moved by someone else (the worker went offline) while it let go.
      if (!current || current.owner_worker_id !== workerId || current.epoch !== epoch) return;
      await this.unassign(workerId, accountId, reason);
      this.accountsChanged();
    });
  }

  private async unassign(workerId: string, accountId: string, reason: string): Promise<void> {
    const moved = await this.store.accounts.assignOwner(accountId, null);
    this.delivered.get(workerId)?.delete(accountId);
    this.logger.info('account released from its worker', { accountId, workerId, reason, epoch: moved.epoch });
  }

  /** A job whose lease ran out with no result (its worker's own deadline should have ended it) goes back. */
  private async expireLeases(now: number, graceMs: number): Promise<void> {
    for (const job of await this.store.jobs.leaseExpiredBefore(now - graceMs)) {
      if (job.worker_id && this.links.isConnected(job.worker_id))
        void this.links.request(job.worker_id, MasterEvent.JobCancel, { jobId: job.id, reason: 'lease expired' });
      await this.jobs.lost(job, 'lease expired without a result', 'TIMEOUT');
    }
  }

  /** Drain: no new jobs go to the worker; once its running jobs end, its accounts move. */
  async drainWorker(workerId: string, reason: string): Promise<void> {
    const worker = await this.store.workers.require(workerId);
    if (worker.status === 'offline') throw new FleetError('CONFLICT', `worker ${workerId} is offline`, { field: 'id' });
    await this.store.workers.setStatus(workerId, 'draining');
    this.assignmentsDirty = true;
    void this.links.request(workerId, MasterEvent.WorkerDrain, { reason });
    await this.emitWorker(workerId);
    this.schedule();
  }

  /** On (re)register: accounts the worker still holds but that moved on (or whose epoch changed) are revoked. */
  async revokeMoved(workerId: string, held: { accountId: string; epoch: number }[]): Promise<void> {
    for (const { accountId, epoch } of held) {
      const account = await this.store.accounts.ownershipOf(accountId);
      if (account && account.owner_worker_id === workerId && account.epoch === epoch) continue;
      void this.links.request(workerId, MasterEvent.TaskRevoke, { accountId, epoch, reason: account ? 'account moved to another worker' : 'account deleted' });
    }
  }

  private async emitWorker(workerId: string): Promise<void> {
    const row = await this.store.workers.row(workerId);
    if (row) this.emitWorkerRow(row);
  }

  private emitWorkerRow(row: WorkerRow): void {
    const view = this.store.workers.view(row, 0);
    this.events.emit('worker:status', { id: view.id, status: view.status, lastHeartbeatAt: view.lastHeartbeatAt, stats: view.stats });
  }

  // ---- accounts ------------------------------------------------------------------------------

  /** Sends the account's assignment again (after an edit), without a new epoch. */
  redeliver(accountId: string): void {
    this.assignRevision.set(accountId, (this.assignRevision.get(accountId) ?? 0) + 1);
    for (const delivered of this.delivered.values()) delivered.delete(accountId);
    this.unreadable.delete(accountId);
    this.undelivered.add(accountId);
    this.accountsChanged();
  }

  /** Whether the account's owner has acknowledged its assignment at the current epoch. */
  isAccountReady(account: Pick<AccountRow, 'id' | 'owner_worker_id' | 'epoch'>): boolean {
    return account.owner_worker_id !== null && this.delivered.get(account.owner_worker_id)?.get(account.id) === account.epoch;
  }

  /**
   * Gives unowned accounts an owner, then delivers what owners have not acknowledged; `sweep`
   * re-checks every owned account. `workers`: the rows the pass read before its liveness check
   * (a worker it found silent is cut, so no longer counts as connected here).
   */
  private async assignAccounts(sweep: boolean, workers?: readonly WorkerRow[]): Promise<void> {
    const online = new Map(
      (workers ?? (await this.store.workers.all())).filter((w) => w.status === 'online' && this.links.isConnected(w.id)).map((w) => [w.id, w]),
    );
    if (online.size === 0) return;
    const unowned = await this.store.accounts.unowned();
    if (unowned.length > 0) {
      const owned = new Map<string, number>();
      for (const id of online.keys()) owned.set(id, await this.store.accounts.countOwnedBy(id));
      const platformsOf = new Map([...online.values()].map((w) => [w.id, new Set(this.store.workers.capabilitiesOf(w).map((c) => c.platform))]));
      // Read once a pass, not per account: a worker under memory pressure gets no new account.
      const roomy = [...online.values()].filter((w) => !underMemoryPressure(w.stats));
      for (const account of unowned) {
        const candidates = roomy.filter((w) => (owned.get(w.id) ?? 0) < w.max_accounts && platformsOf.get(w.id)!.has(account.platform));
        if (candidates.length === 0) continue;
        const worker = candidates.reduce((best, w) => ((owned.get(w.id) ?? 0) < (owned.get(best.id) ?? 0) ? w : best));
        await this.store.accounts.assignOwner(account.id, worker.id);
        this.undelivered.add(account.id);
        owned.set(worker.id, (owned.get(worker.id) ?? 0) + 1);
        this.logger.info('account assigned', { accountId: account.id, workerId: worker.id });
      }
    }
    if (sweep) for (const account of await this.store.accounts.ownerships()) if (!this.isAccountReady(account)) this.undelivered.add(account.id);
    for (const accountId of this.undelivered) {
      this.undelivered.delete(accountId);
      let account = await this.store.accounts.row(accountId);
      const worker = account?.owner_worker_id ? online.get(account.owner_worker_id) : undefined;
      // An owner offline or draining gets its accounts again when it registers (or they move on).
      if (!account || !worker || this.isAccountReady(account)) continue;
      if (account.device_profile === null) {
        const defaults = { locale: 'en-US', timezoneId: Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC' };
        account = await this.store.accounts.setDeviceProfile(account.id, generateDeviceProfile(account.id, worker.browser_version, defaults));
      }
      await this.deliverAssignment(worker.id, account);
    }
  }

  private forgetInFlight(workerId: string): void {
    for (const key of this.inFlightAssign.keys()) if (key.startsWith(`${workerId}/`)) this.inFlightAssign.delete(key);
  }

  private async deliverAssignment(workerId: string, account: AccountRow): Promise<void> {
    // An edit since the last delivery makes it another delivery: the one in flight carries old secrets.
    const revision = this.assignRevision.get(account.id) ?? 0;
    const key = `${workerId}/${account.id}/${account.epoch}/${revision}`;
    if (this.inFlightAssign.has(key) || this.unreadable.has(account.id)) return;
    let secrets: AccountSecrets;
    try {
      secrets = this.store.accounts.secretsOf(account);
    } catch (error) {
      await this.accountUnreadable(account, error);
      return;
    }
    const connection = this.connectionOf.get(workerId) ?? 0;
    this.inFlightAssign.set(key, connection);
    const deviceProfile = this.store.accounts.view(account).deviceProfile;
    void this.links
      .request(workerId, MasterEvent.TaskAssign, {
        accountId: account.id,
        platform: account.platform,
        epoch: account.epoch,
        credentials: secrets.credentials,
        proxy: secrets.proxy,
        deviceProfile,
        storageState: secrets.storageState,
        storageStateVersion: account.storage_state_version,
      })
      .then((ack) =>
        // A decision of its own: what the pass in progress has seen of deliveries stays as it was.
        this.decide(async () => {
          if (this.inFlightAssign.get(key) === connection) this.inFlightAssign.delete(key);
          if (ack.ok && (this.assignRevision.get(account.id) ?? 0) !== revision) {
            // Edited while this went: the newer delivery (sent or to be sent) is the one that counts.
            this.undelivered.add(account.id);
            this.assignmentsDirty = true;
            this.schedule();
          } else if (ack.ok) {
            this.delivered.get(workerId)?.set(account.id, account.epoch);
            this.schedule();
          } else {
            this.undelivered.add(account.id);
            this.assignmentsDirty = true;
            this.logger.warn('worker refused an assignment', { workerId, accountId: account.id, error: ack.error });
          }
        }),
      )
      .catch((error: unknown) => {
        if (!this.closed) this.logger.error('could not apply an assignment answer', { workerId, accountId: account.id, error });
      });
  }

  /** The account cannot be handed to any worker: its queued jobs fail now, with the reason. */
  private async accountUnreadable(account: AccountRow, error: unknown): Promise<void> {
    this.unreadable.add(account.id);
    const message = `the secrets of account ${account.id} do not open with this FLEET_SECRET_KEY (was the key changed?); fix the key or re-enter the account's secrets`;
    this.logger.error('account secrets unreadable', { accountId: account.id, error });
    await this.failQueuedJobsOf(account.id, message);
  }

  private async failQueuedJobsOf(accountId: string, message: string): Promise<void> {
    for (const job of await this.store.jobs.queuedOf(accountId)) await this.jobs.refusedToRun(job, 'ACCOUNT_UNREADABLE', message);
  }

  // ---- jobs ----------------------------------------------------------------------------------

  /** Marks the jobs that go now as dispatched; the caller sends them once the pass has committed. */
  private async pickAndMark(): Promise<{ row: JobRow; workerId: string }[]> {
    const moves: DispatchMove[] = [];
    const now = Date.now();
    const { inFlight, runnable } = await this.runnable(now);
    const { accounts: busyAccounts, perWorker: activePerWorker } = inFlight;
    // Read lazily, once per pass: a pass at low load dispatches one job, and all 50 rows cost more than it.
    const workers = new Map<string, WorkerCapacity | undefined>();
    const readWorker = async (id: string): Promise<WorkerCapacity | undefined> => {
      workers.set(id, await this.store.workers.capacity(id));
      return workers.get(id);
    };
    const fullWorkers = new Set<string>();
    const poolWalk = this.pools.walk();
    await this.limits.prepare(now);
    // The owners of the accounts that may go came with their jobs (a pool job's account is picked, and its owner read, below).
    for (const { owner_worker_id: id, owner_status: status, owner_max_concurrency: maxConcurrency } of runnable) {
      if (id && !workers.has(id)) workers.set(id, status === null || maxConcurrency === null ? undefined : { id, status, max_concurrency: maxConcurrency });
    }
    for (const job of runnable) {
      // Most queued jobs wait behind a busy account or a full worker: skip those before any lookup.
      if (job.account_id && (busyAccounts.has(job.account_id) || (this.queuedFor.get(job.account_id) ?? 0) > now)) continue;
      if (job.account_id && this.unreadable.has(job.account_id)) {
        await this.failQueuedJobsOf(job.account_id, `the secrets of account ${job.account_id} do not open with this FLEET_SECRET_KEY`);
        continue;
      }
      const account = job.account_id ? accountOfRunnable(job) : await this.pickPoolAccount(job, busyAccounts, poolWalk, now);
      if (!account || busyAccounts.has(account.id) || !this.isAccountReady(account)) continue;
      const hold = this.limits.check(job.type, account, now);
      if (hold) {
        // The account's queue keeps its order: nothing behind its first job goes before it.
        if (job.account_id && hold.until !== null) this.queuedFor.set(job.account_id, hold.until);
        await this.limits.hold(job.id, hold);
        continue;
      }
      const worker = workers.has(account.owner_worker_id!) ? workers.get(account.owner_worker_id!) : await readWorker(account.owner_worker_id!);
      if (worker?.status !== 'online' || fullWorkers.has(worker.id)) continue;
      if ((activePerWorker.get(worker.id) ?? 0) >= worker.max_concurrency) {
        fullWorkers.add(worker.id);
        continue;
      }
      moves.push({
        id: job.id,
        workerId: worker.id,
        epoch: account.epoch,
        dispatchedAt: now,
        leaseExpiresAt: now + job.timeout_ms,
        // A pool job gets its account now; an account's own job keeps its columns (and their index entries) as they are.
        ...(job.account_id !== account.id ? { account: { id: account.id, platform: account.platform } } : {}),
        // A held job's `held` step is over once it goes.
        releasesHold: this.limits.started(job.id, job.type, account),
      });
      busyAccounts.add(account.id);
      activePerWorker.set(worker.id, (activePerWorker.get(worker.id) ?? 0) + 1);
    }
    // One write for the pass's jobs (one round trip on PostgreSQL, however many go).
    return (await this.jobs.dispatched(moves)).map((row) => ({ row, workerId: row.worker_id! }));
  }

  /**
   * What may run now, in dispatch order (priority, then runAfter, then arrival), and the jobs in
   * flight. An account runs one job at a time, so only each idle account's next job can go, and the
   * pool jobs. With few accounts waiting, the jobs in flight and the idle ones' next jobs come in
   * one read; with few idle ones, those are asked for their next jobs; reading the queue in order instead
   * walked every queued job of every busy account (33 ms a pass with 100,000 queued behind 400
   * busy accounts, and a pass follows every submission). With many, the queue in order is
   * cheaper: it stops at the first DISPATCH_BATCH runnable jobs.
   */
  private async runnable(now: number): Promise<{ inFlight: InFlight; runnable: RunnableJob[] }> {
    const candidates: string[] = [];
    for (const accountId of this.queuedAccounts) {
      if ((this.queuedFor.get(accountId) ?? 0) > now) continue;
      candidates.push(accountId);
      if (candidates.length > HEAD_PROBES_PER_PASS) break;
    }
    let inFlight: InFlight;
    let probed: { next: RunnableJob[]; dueAt: Map<string, number> };
    let idle: string[];
    if (candidates.length <= HEAD_PROBES_PER_PASS) {
      // Few enough to probe whether busy or not: the jobs in flight and the idle ones' next jobs in one read.
      const read = await this.store.jobs.inFlightAndNextOf(candidates, now);
      inFlight = read.inFlight;
      probed = read;
      idle = candidates.filter((accountId) => !inFlight.accounts.has(accountId));
    } else {
      inFlight = await this.store.jobs.inFlight();
      idle = [];
      for (const accountId of this.queuedAccounts) {
        if (inFlight.accounts.has(accountId) || (this.queuedFor.get(accountId) ?? 0) > now) continue;
        if (idle.length === HEAD_PROBES_PER_PASS) return { inFlight, runnable: await this.store.jobs.runnable(now, DISPATCH_BATCH) };
        idle.push(accountId);
      }
      probed = await this.store.jobs.nextQueuedOfEach(idle, now);
    }
    const { next: runnable, dueAt } = probed;
    const found = new Set(runnable.map((job) => job.account_id));
    for (const accountId of idle) {
      if (found.has(accountId)) continue;
      const at = dueAt.get(accountId);
      if (at === undefined) {
        this.queuedAccounts.delete(accountId);
        this.queuedFor.delete(accountId);
      } else {
        this.queuedFor.set(accountId, at);
      }
    }
    if (this.poolJobsDueAt <= now) {
      const poolJobs = await this.store.jobs.queuedPoolJobs(now, DISPATCH_BATCH);
      if (poolJobs.length === 0) this.poolJobsDueAt = now + POOL_QUEUE_RECHECK_MS;
      runnable.push(...poolJobs);
    }
    return { inFlight, runnable: runnable.sort(inDispatchOrder).slice(0, DISPATCH_BATCH) };
  }

  /** The pool's first idle, ready account in creation order whose limits allow the job, or none. */
  private async pickPoolAccount(job: RunnableJob, busy: Set<string>, walk: PoolWalk, now: number): Promise<AccountOwnership | undefined> {
    if (!job.pool) return undefined;
    const limited = this.limits.poolFilter(job.pool, job.type, now);
    if (limited.exhausted) {
      await this.limits.hold(job.id, limited.exhausted);
      return undefined;
    }
    const account = await this.pools.pick(job.pool, walk, { busy, ready: (a) => this.isAccountReady(a) && limited.allows(a) });
    if (limited.hold) {
      // An account a limit turned away may suit the pool's next job (another type): walk the pool again for it.
      walk.from.delete(job.pool);
      if (!account) {
        this.limits.poolHeld(job.pool, job.type, limited.hold);
        await this.limits.hold(job.id, limited.hold);
      }
    }
    return account;
  }

  private sendJob(job: JobRow, workerId: string): void {
    this.awaitingRunAnswer.set(job.id, job.dispatched_at!);
    void this.links
      .request(workerId, MasterEvent.JobRun, {
        jobId: job.id,
        accountId: job.account_id!,
        epoch: job.epoch!,
        platform: job.platform!,
        type: job.type,
        payload: JSON.parse(job.payload) as Record<string, unknown>,
        attempt: job.attempt,
        timeoutMs: job.timeout_ms,
      })
      .then((ack) => {
        if (!this.answerAwaited(job)) return;
        // Looked at again in the decision: the job's result may be applied before it, in the same batch.
        return this.decide(async () => {
          if (this.answerAwaited(job)) await this.jobRunAnswered(job, workerId, ack);
        });
      })
      .catch((error: unknown) => this.logger.error('could not apply a job:run answer', { jobId: job.id, error }));
  }

  /**
   * The worker took the job (running) or refused it (back to the queue, or failed if final). No
   * answer in time is neither: the worker may have started it, so it stays with that worker until
   * a report, the worker's re-register, or the loss and lease rules end it.
   */
  private async jobRunAnswered(job: JobRow, workerId: string, ack: Awaited<ReturnType<WorkerLinks['request']>>): Promise<void> {
    const current = await this.store.jobs.row(job.id);
    // Only the answer to this very dispatch (a job can be dispatched again under the same attempt).
    if (current?.status !== 'dispatched' || current.worker_id !== workerId || current.attempt !== job.attempt || current.dispatched_at !== job.dispatched_at)
      return;
    if (ack.ok) {
      await this.jobs.started(current);
      return;
    }
    const error = FleetError.fromJSON(ack.error);
    if (error.code === 'TIMEOUT') {
      // Not a refusal: the worker may have started it. Requeueing would run it twice and refuse its result as NOT_OWNER.
      this.logger.warn('worker did not answer job:run in time; the job stays with it', { jobId: job.id, workerId });
      return;
    }
    this.logger.warn('worker refused a job', { jobId: job.id, workerId, code: error.code });
    if (current.cancel_requested_at !== null) await this.jobs.cancelled(current, 'cancelled by request');
    else if (error.retryable) await this.holdRefused(current, error);
    else await this.jobs.failed(current, error);
  }

  /** Whether the job is still at the dispatch `job` names, so a worker's answer to it counts. */
  private answerAwaited(job: JobRow): boolean {
    return this.awaitingRunAnswer.get(job.id) === job.dispatched_at;
  }

  /** A refused run waits out its backoff in its place: its account is not probed again until then. */
  private async holdRefused(job: JobRow, error: FleetError): Promise<void> {
    const retryAt = this.jobs.retryAfterRefusal();
    const row = await this.jobs.refused(job, error, retryAt);
    if (row.status === 'queued' && row.pool === null && row.account_id) this.queuedFor.set(row.account_id, retryAt);
  }

  /**
   * Announces a job's move (the lifecycle's hook); a queued job's account joins the next pass.
   * Synchronous unless the view needs a read (a finished job's artifacts, a parent's children) or
   * a follower waits on the store: a view and its followers come with every move of every job.
   */
  private jobChanged(row: JobRow, known?: JobView): Promise<void> | undefined {
    // At once, not once committed: a move undone leaves the job dispatched without its answer
    // looked at, which its next report or its lease mends.
    if (row.status !== 'dispatched') this.awaitingRunAnswer.delete(row.id);
    if (row.status === 'queued' && row.account_id) {
      this.queuedAccounts.add(row.account_id);
      this.queuedFor.delete(row.account_id);
    } else if (row.status === 'queued') {
      this.poolJobsDueAt = Math.min(this.poolJobsDueAt, row.run_after);
    }
    const view = known ?? viewWithoutExtras(row);
    if (view) return this.announce(row, view);
    return this.store.jobs.view(row).then((read) => this.announce(row, read));
  }

  private announce(row: JobRow, view: JobView): Promise<void> | undefined {
    this.events.emit('job:changed', view);
    if (row.status === 'succeeded' || row.status === 'failed' || row.status === 'cancelled') this.events.emit('job:done', view);
    return this.followJob(view);
  }

  /**
   * Has `follower` run on every change of a job (a move or its progress), inside the decision that
   * made it, so what follows lands with it: never a write of its own in a later decision. A
   * follower with nothing to do for the job returns nothing rather than a promise: every job's
   * every move goes past each follower.
   */
  onJobChange(follower: (job: JobView) => Promise<void> | undefined): void {
    this.jobFollowers.push(follower);
  }

  /** A job's progress moved (the decision that wrote it calls this): announced and followed. */
  async jobProgressed(view: JobView): Promise<void> {
    this.events.emit('job:progress', view);
    await this.followJob(view);
  }

  /** Runs the followers in order, each after the one before has finished; synchronous while none waits on the store. */
  private followJob(view: JobView): Promise<void> | undefined {
    let following: Promise<void> | undefined;
    for (const follow of this.jobFollowers) following = following ? following.then(() => follow(view)) : follow(view);
    return following;
  }
}

/**
 * Every this many timer passes, assignment re-checks all owned accounts and dispatch re-reads which
 * accounts have queued jobs (backstops for `undelivered` and `queuedAccounts`).
 */
const SWEEP_EVERY_FULL_PASSES = 30;
/** How soon an empty pool queue is read again, unless a pool job is queued here first. */
const POOL_QUEUE_RECHECK_MS = 1_000;
/** How long a heartbeat waits for others to be written with it. */
const HEARTBEAT_BATCH_MS = 200;
/**
 * Socket.IO's disconnect reasons for a connection that was closed rather than fallen silent: the
 * peer's transport closed or failed (its process died, its host closed the TCP connection), or
 * the worker disconnected on purpose.
 */
const CLOSED_CONNECTION_REASONS = new Set(['transport close', 'transport error', 'client namespace disconnect']);
/** At most this many jobs are considered (and dispatched) per pass. */
const DISPATCH_BATCH = 500;
/** Above this many idle accounts with queued jobs, a pass reads the queue in order instead (see `runnable`). */
const HEAD_PROBES_PER_PASS = 200;

/** Whether the job the worker lists is the attempt the master has on it: same epoch, and same attempt when named. */
function runsThisAttempt(ref: RunningJobRef, job: JobRow): boolean {
  return ref.epoch === job.epoch && (ref.attempt === undefined || ref.attempt === job.attempt);
}

function inDispatchOrder(a: RunnableJob, b: RunnableJob): number {
  return b.priority - a.priority || a.run_after - b.run_after || a.seq - b.seq;
}

/** The jobs in flight, as a pass reads them: the accounts they hold and how many each worker runs. */
type InFlight = { accounts: Set<string>; perWorker: Map<string, number> };

/** The ownership columns read with an account's queued job; none if the account is gone. */
function accountOfRunnable(job: RunnableJob): AccountOwnership | undefined {
  if (job.account_id === null || job.account_platform === null || job.account_epoch === null) return undefined;
  return { id: job.account_id, platform: job.account_platform, owner_worker_id: job.owner_worker_id, epoch: job.account_epoch };
}
