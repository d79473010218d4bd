import {
  FleetError,
  MasterEvent,
  WorkerEvent,
  type Logger,
  type WorkerJobProgress,
  type WorkerJobResult,
  type WorkerLoginQrCode,
  type WorkerJobLog,
  type WorkerLoginStatus,
  type WorkerMessageDetected,
  type WorkerReplyResult,
  type WorkerStateSnapshot,
} from '@fleetwright/shared';
import type { FleetBackend } from '../store/backend/fleet-backend.js';
import type { LiveLogs } from './live-logs.js';
import type { AccountOwnership, JobRow } from '../store/backend/records.js';
import type { Scheduler } from '../scheduler/scheduler.js';
import type { WorkerLinks } from '../scheduler/worker-links.js';
import { QrCodeCache } from './qr-code-cache.js';
import { resultText } from '../store/backend/reported-success.js';
import type { FleetEvents } from '../events/fleet-events.js';
import { GatheredDecisions, type Outcome, type SenderOrder } from '../scheduler/gathered-decisions.js';

/** A worker's report of a success, with who sent it. */
interface ReportedResult {
  workerId: string;
  report: Extract<WorkerJobResult, { status: 'succeeded' }>;
}

/**
 * Applies what workers report about jobs and accounts. A report from a worker that does not own
 * the job, or made under a stale epoch, is refused, recorded, and answered with a revoke. Each
 * report is applied inside a decision (see Scheduler.decide).
 */
export class JobReports {
  /** Newest QR code of each running login, for late readers; dropped once the attempt is over. */
  private readonly latestQrCodes = new QrCodeCache();
  private readonly successes: GatheredDecisions<ReportedResult, void>;
  constructor(
    private readonly store: FleetBackend,
    private readonly liveLogs: LiveLogs,
    private readonly scheduler: Scheduler,
    private readonly events: FleetEvents,
    private readonly links: WorkerLinks,
    private readonly logger: Logger,
  ) {
    this.successes = new GatheredDecisions(scheduler, (items) => this.decideSuccesses(items));
    // A finished or requeued login's QR code is stale: its token was for that attempt.
    events.on('job:changed', (job) => {
      if (job.status !== 'dispatched' && job.status !== 'running') this.latestQrCodes.delete(job.id);
    });
  }

  private async checkOwnership(
    workerId: string,
    event: string,
    report: { jobId: string; accountId: string; epoch: number; attempt: number },
    loaded?: { job: JobRow; account: AccountOwnership | undefined },
  ): Promise<JobRow> {
    const { job, account } = loaded ?? (await this.store.jobs.requireWithAccount(report.jobId, report.accountId));
    if (!account) throw new FleetError('ACCOUNT_NOT_FOUND', `no account ${report.accountId}`, { field: 'accountId' });
    if (job.worker_id !== workerId || job.account_id !== report.accountId) {
      this.refuse(workerId, event, 'NOT_OWNER', report);
      throw new FleetError('NOT_OWNER', `job ${report.jobId} is not this worker's`, { field: 'jobId' });
    }
    // An attempt the master never dispatched: nothing about it can be true.
    if (report.attempt > job.attempt) {
      this.refuse(workerId, event, 'NOT_OWNER', { ...report, currentAttempt: job.attempt });
      throw new FleetError('NOT_OWNER', `attempt ${report.attempt} of job ${report.jobId} was never dispatched (the job is at attempt ${job.attempt})`, {
        field: 'attempt',
      });
    }
    if (report.epoch !== account.epoch || job.epoch !== report.epoch) {
      this.refuse(workerId, event, 'STALE_EPOCH', { ...report, currentEpoch: account.epoch });
      void this.links.request(workerId, MasterEvent.TaskRevoke, { accountId: account.id, epoch: report.epoch, reason: 'stale epoch' });
      throw new FleetError('STALE_EPOCH', `epoch ${report.epoch} is stale; account ${account.id} is at epoch ${account.epoch}`, { field: 'epoch' });
    }
    return job;
  }

  private refuse(workerId: string, event: string, code: string, detail: Record<string, unknown>): void {
    // A decision of its own: the refusal throws, which undoes the report's decision, and the
    // record of the refusal must outlive that.
    this.scheduler
      .decide(() => this.store.recordRefusedReport(workerId, event, code, detail))
      .catch((error: unknown) => this.logger.warn('could not record a refused report', { workerId, event, code, error }));
    this.logger.warn('refused a worker report', { workerId, event, code, ...detail });
  }

  async progress(workerId: string, report: WorkerJobProgress): Promise<void> {
    const loaded = await this.store.jobs.requireWithAccount(report.jobId, report.accountId);
    if (report.attempt < loaded.job.attempt) return; // a late report of an earlier attempt
    let job = await this.checkOwnership(workerId, WorkerEvent.JobProgress, report, loaded);
    if (job.status === 'dispatched') job = await this.scheduler.jobs.started(job.id);
    if (job.status !== 'running') throw new FleetError('ILLEGAL_TRANSITION', `job ${job.id} is ${job.status}; progress ignored`, { field: 'jobId' });
    const row = await this.store.jobs.setProgress(job.id, report.percent, report.step, report.message ?? null);
    await this.scheduler.jobProgressed(await this.store.jobs.view(row));
  }

  /**
   * A worker's result, as a decision. Successes (nearly every result) that arrive while one such
   * decision waits its turn are applied by it together (see `decideSuccesses`), though never before
   * a decision of the same sender queued earlier (`sender`, which moves on to this one's).
   */
  submitResult(workerId: string, report: WorkerJobResult, sender: SenderOrder): Promise<void> {
    if (report.status === 'succeeded') return this.successes.submit({ workerId, report }, sender);
    const decided = this.scheduler.decide(() => this.result(workerId, report));
    sender.last = this.scheduler.queuedCount;
    return decided;
  }

  /**
   * Applies successes together: their runs are moved in one write (`requireWithAccountSucceedingEach`;
   * on PostgreSQL one round trip, where each was one and a savepoint), then each is followed up as
   * `result` would. A report whose run was not moved (sent again, or to be refused) and a job
   * reported twice are judged one by one by `result`, each undone alone; so is every report when
   * anything of the write together fails, since that undoes it whole.
   */
  private async decideSuccesses(items: ReportedResult[]): Promise<Outcome<void>[]> {
    const outcomes: Outcome<void>[] = [];
    const jobs = new Set<string>();
    const together: number[] = [];
    const alone: number[] = [];
    for (const [i, { report }] of items.entries()) {
      if (jobs.has(report.jobId)) alone.push(i);
      else together.push(i);
      jobs.add(report.jobId);
    }
    const reports = together.map((i) => {
      const { workerId, report } = items[i]!;
      return {
        run: { jobId: report.jobId, accountId: report.accountId, workerId, attempt: report.attempt, epoch: report.epoch },
        result: resultText(report.result),
      };
    });
    try {
      await this.store.transaction(async () => {
        const loaded = await this.store.jobs.requireWithAccountSucceedingEach(reports, Date.now());
        for (const [k, i] of together.entries()) {
          const { job, succeeded } = loaded[k]!;
          if (!succeeded) continue;
          await this.scheduler.jobs.succeeded(job, items[i]!.report.result, succeeded);
          outcomes[i] = { ok: true, value: undefined };
        }
      });
    } catch (error) {
      this.logger.debug('successes applied together were refused; applying them one by one', { reports: together.length, error });
      for (const i of together) delete outcomes[i];
    }
    for (const i of together) if (!outcomes[i]) alone.push(i);
    for (const i of alone.sort((a, b) => a - b)) {
      const { workerId, report } = items[i]!;
      try {
        await this.store.transaction(() => this.result(workerId, report));
        outcomes[i] = { ok: true, value: undefined };
      } catch (error) {
        outcomes[i] = { ok: false, error };
      }
    }
    return outcomes;
  }

  async result(workerId: string, report: WorkerJobResult): Promise<void> {
    // A success of the job's current run (nearly every report) is read and applied in one step;
    // should a check below refuse it after all, it throws and the decision undoes the move.
    const loaded =
      report.status === 'succeeded'
        ? await this.store.jobs.requireWithAccountSucceeding(
            { jobId: report.jobId, accountId: report.accountId, workerId, attempt: report.attempt, epoch: report.epoch },
            Date.now(),
            resultText(report.result),
          )
        : { ...(await this.store.jobs.requireWithAccount(report.jobId, report.accountId)), succeeded: undefined };
    const current = loaded.job;
    // A re-sent result that was already applied is acknowledged again, not applied twice: either
    // it is about an attempt that has since been retried, or this attempt already ended so.
    if (report.attempt < current.attempt) return;
    if (report.attempt === current.attempt && current.status === report.status && current.worker_id === workerId) return;
    // A throttled run goes back to the queue under its attempt: its result sent again finds it queued, throttled, and on no worker.
    if (report.status === 'rate_limited' && report.attempt === current.attempt && current.status === 'queued' && current.error_code === 'RATE_LIMITED') return;
    const job = await this.checkOwnership(workerId, WorkerEvent.JobResult, report, loaded);
    if (report.status === 'succeeded') await this.scheduler.jobs.succeeded(job, report.result, loaded.succeeded);
    else if (report.status === 'failed') await this.scheduler.jobs.failed(job, FleetError.fromJSON(report.error), true);
    else if (report.status === 'cancelled')
      await this.scheduler.jobs.cancelled(job.id, report.error?.message ?? 'cancelled', report.error?.code ?? 'JOB_CANCELLED');
    else {
      // The whole scope waits (the account, or the platform across the fleet), and the job with it.
      const message = report.message ?? `the platform throttled the ${report.scope}`;
      const target = report.scope === 'account' ? job.account_id! : job.platform!;
      // The job moves first: a move refused (the job ended meanwhile) must leave no pause behind, in memory either.
      await this.scheduler.jobs.rateLimited(job, new FleetError('RATE_LIMITED', message));
      await this.scheduler.limits.pause(report.scope, target, Date.now() + report.retryAfterMs, message);
    }
  }

  /** The QR code of a running login: kept for late readers (GET /jobs/:id/qrcode) and relayed live. */
  async loginQrCode(workerId: string, report: WorkerLoginQrCode): Promise<void> {
    if (await this.isLate(report)) return;
    await this.checkOwnership(workerId, WorkerEvent.LoginQrCode, report);
    this.latestQrCodes.set(report.jobId, report.dataUrl);
    await this.store.jobs.addEvent(report.jobId, 'qrcode', { bytes: report.dataUrl.length });
    this.events.emit('login:qrcode', { jobId: report.jobId, accountId: report.accountId, dataUrl: report.dataUrl });
  }

  /** Live run.log lines: kept for the tail and relayed; a late attempt's lines are dropped. */
  async log(workerId: string, report: WorkerJobLog): Promise<void> {
    if (await this.isLate(report)) return;
    await this.checkOwnership(workerId, WorkerEvent.JobLog, report);
    this.liveLogs.append(report.jobId, report.lines);
    this.events.emit('job:log', { jobId: report.jobId, accountId: report.accountId, lines: report.lines });
  }

  async loginStatus(workerId: string, report: WorkerLoginStatus): Promise<void> {
    if (await this.isLate(report)) return;
    await this.checkOwnership(workerId, WorkerEvent.LoginStatus, report);
    await this.store.jobs.addEvent(report.jobId, 'login_status', { status: report.status, ...(report.message ? { message: report.message } : {}) });
    this.events.emit('login:status', {
      jobId: report.jobId,
      accountId: report.accountId,
      status: report.status,
      ...(report.message ? { message: report.message } : {}),
    });
  }

  /** Stores each message once (per account and platform id) and announces only the new ones. */
  async messagesDetected(workerId: string, report: WorkerMessageDetected): Promise<{ newCount: number }> {
    if (await this.isLate(report)) return { newCount: 0 };
    const job = await this.checkOwnership(workerId, WorkerEvent.MessageDetected, report);
    const added = await this.store.messages.addNew(report.accountId, job.platform ?? 'unknown', report.messages);
    const byId = new Map(report.messages.map((m) => [m.platformMessageId, m]));
    for (const message of added) this.events.emit('message:detected', { accountId: report.accountId, message: byId.get(message.platformMessageId)! });
    if (added.length > 0) await this.store.jobs.addEvent(report.jobId, 'messages', { found: report.messages.length, new: added.length });
    return { newCount: added.length };
  }

  async replyResult(workerId: string, report: WorkerReplyResult): Promise<void> {
    if (await this.isLate(report)) return;
    await this.checkOwnership(workerId, WorkerEvent.ReplyResult, report);
    await this.store.jobs.addEvent(report.jobId, 'reply', { replyId: report.replyId, alreadyPosted: report.alreadyPosted });
    this.events.emit('reply:result', { jobId: report.jobId, accountId: report.accountId, replyId: report.replyId, alreadyPosted: report.alreadyPosted });
  }

  qrCodeOf(jobId: string): string | undefined {
    return this.latestQrCodes.get(jobId);
  }

  /** A report about an attempt that has since been retried: acknowledged, not applied. */
  private async isLate(report: { jobId: string; attempt: number }): Promise<boolean> {
    return report.attempt < (await this.store.jobs.require(report.jobId)).attempt;
  }

  async stateSnapshot(workerId: string, snapshot: WorkerStateSnapshot): Promise<boolean> {
    const account = await this.store.accounts.require(snapshot.accountId);
    if (account.owner_worker_id !== workerId || account.epoch !== snapshot.epoch) {
      this.refuse(workerId, WorkerEvent.StateSnapshot, 'STALE_EPOCH', { accountId: account.id, epoch: snapshot.epoch, currentEpoch: account.epoch });
      throw new FleetError('STALE_EPOCH', `epoch ${snapshot.epoch} is stale for account ${account.id}`, { field: 'epoch' });
    }
    return this.store.accounts.saveStorageState(account.id, snapshot.version, snapshot.storageState);
  }
}
