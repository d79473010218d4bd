import type { FleetError, JobView, Logger } from '@fleetwright/shared';
import { retryDelayMs } from './backoff.js';
import type { FleetBackend } from '../store/backend/fleet-backend.js';
import type { DispatchMove, JobPatch, JobRow } from '../store/backend/records.js';
import type { WorkerCapabilities } from '../scheduler/worker-capabilities.js';
import { resultText, succeededPatch } from '../store/backend/reported-success.js';

/** What a move of a job sets off outside the job itself. */
export interface JobMoveHooks {
  /** Announces the job's new state (`job:changed`, and `job:done` when final). */
  /** `view`: the row's view when the caller already built it (a bulk create builds them at once). */
  changed(row: JobRow, view?: JobView): Promise<void> | undefined;
  /** Asks for a scheduling pass: a slot or an account may have come free. */
  schedule(): void;
}

export interface JobLifecycleOptions {
  /** Base of the retry backoff. @defaultValue 1000 */
  retryBaseMs?: number;
}

/** Which jobs the move may start from: the row just read (saving a read), or its id. */
type JobRef = JobRow | Pick<JobRow, 'id' | 'status'> | string;

/**
 * The one place that moves a job from one status to another. Each move writes the job, sets the
 * account's step its type tracks, announces the change and asks for the pass it makes possible,
 * so no caller has to remember those: commands (create, cancel), worker reports, the scheduler's
 * dispatch, liveness and lease rules, and parent jobs all ask here. Every move runs inside a
 * decision (see DecisionQueue).
 */
export class JobLifecycle {
  constructor(
    private readonly store: FleetBackend,
    private readonly hooks: JobMoveHooks,
    private readonly options: JobLifecycleOptions,
    private readonly logger: Logger,
    /** Which account step each job type moves. */
    private readonly capabilities: Pick<WorkerCapabilities, 'stepOf'>,
  ) {}

  /** A new job, queued (the store inserted it): announced; the caller asks for the pass once its batch is in. */
  created(row: JobRow, view?: JobView): Promise<void> | undefined {
    return this.hooks.changed(row, view);
  }

  /** Queued → dispatched to their workers, all at once (inside the dispatch pass, which sends them once committed). */
  async dispatched(moves: readonly DispatchMove[]): Promise<JobRow[]> {
    const rows = await this.store.jobs.dispatchMany(moves);
    for (const row of rows) {
      const announcing = this.hooks.changed(row);
      if (announcing) await announcing;
    }
    return rows;
  }

  /** Dispatched → running: the worker took it (its ack, its first progress, or its re-register). */
  async started(job: JobRef, detail?: Record<string, unknown>): Promise<JobRow> {
    const row = await this.move(job, 'running', { started_at: Date.now() }, detail);
    const stepping = this.setStep(row, 'running');
    if (stepping) await stepping;
    const announcing = this.hooks.changed(row);
    if (announcing) await announcing;
    return row;
  }

  /** `moved`: the store already moved the job (requireWithAccountSucceeding); the rest follows. */
  async succeeded(job: JobRow, result: unknown, moved?: JobRow): Promise<JobRow> {
    const row = moved ?? (await this.store.jobs.transition(job, 'succeeded', succeededPatch(job, Date.now(), resultText(result))));
    const stepping = this.setStep(row, 'success');
    if (stepping) await stepping;
    return this.done(row);
  }

  /**
   * The attempt ended with `error`: retried after a backoff if retryable with attempts left
   * (cancelled instead when a cancel was asked of it), failed otherwise. `ran`: the worker ran the
   * attempt (it reported the failure), so a job its report reaches before the job:run ack still
   * gets a start time, as a success does.
   */
  async failed(job: JobRow, error: FleetError, ran = false): Promise<JobRow> {
    const canRetry = error.retryable && job.attempt < job.max_attempts;
    if (canRetry && job.cancel_requested_at !== null) return this.cancelled(job, `cancelled by request (the attempt ended with ${error.code})`);
    const row = canRetry
      ? await this.store.jobs.transition(
          job.id,
          'queued',
          {
            attempt: job.attempt + 1,
            worker_id: null,
            epoch: null,
            run_after: Date.now() + retryDelayMs(job.attempt, { baseMs: this.options.retryBaseMs }),
            error_code: error.code,
            error_message: error.message,
          },
          { retry: true, code: error.code },
        )
      : await this.store.jobs.transition(
          job.id,
          'failed',
          {
            finished_at: Date.now(),
            ...(ran && job.started_at === null ? { started_at: Date.now() } : {}),
            error_code: error.code,
            error_message: error.message,
          },
          { code: error.code },
        );
    const stepping = row.status === 'failed' ? this.setStep(row, 'failed') : undefined;
    if (stepping) await stepping;
    return this.done(row);
  }

  /** The job ends `cancelled`: `code` is the worker's when it reported the cancel. */
  async cancelled(job: JobRef, message: string, code = 'JOB_CANCELLED'): Promise<JobRow> {
    const row = await this.move(job, 'cancelled', { finished_at: Date.now(), error_code: code, error_message: message });
    this.logger.info('job cancelled', { jobId: row.id, message });
    return this.done(row);
  }

  /**
   * The worker refused the run (retryable): back to the queue, same attempt, to wait `retryAt`. An
   * account's job keeps its place in its account's queue (the scheduler holds the account until
   * then); moving its run_after would put it behind every job of the account submitted since.
   */
  async refused(job: JobRow, error: FleetError, retryAt: number): Promise<JobRow> {
    const patch: JobPatch = { worker_id: null, epoch: null, ...(job.pool !== null ? { run_after: retryAt } : {}) };
    return this.done(await this.store.jobs.transition(job.id, 'queued', patch, { refused: error.code }));
  }

  /**
   * The platform throttled the attempt (`ctx.rateLimited`): back to the queue under the same
   * attempt, so it uses none; the caller pauses its scope. An account's job keeps its place in its
   * account's queue; a pool job may go to another account of its pool.
   */
  async rateLimited(job: JobRow, error: FleetError): Promise<JobRow> {
    if (job.cancel_requested_at !== null) return this.cancelled(job, `cancelled by request (the attempt ended with ${error.code})`);
    const patch: JobPatch = { worker_id: null, epoch: null, lease_expires_at: null, error_code: error.code, error_message: error.message };
    if (job.pool !== null) patch.account_id = null;
    return this.done(await this.store.jobs.transition(job.id, 'queued', patch, { rateLimited: error.code }));
  }

  /** When a refused run may be tried again. */
  retryAfterRefusal(): number {
    return Date.now() + retryDelayMs(1, { baseMs: this.options.retryBaseMs });
  }

  /**
   * An attempt ended without a result (its worker was lost, restarted without it, or its lease ran
   * out): back to the queue as its next attempt, failed if that was its last, or `cancelled` if a
   * cancel had been asked of it.
   */
  async lost(job: JobRow, reason: string, code: 'WORKER_LOST' | 'TIMEOUT' = 'WORKER_LOST'): Promise<JobRow> {
    if (job.cancel_requested_at !== null) return this.cancelled(job, `cancelled by request; the worker ended without reporting (${reason})`);
    const message = `${reason} (attempt ${job.attempt} of ${job.max_attempts})`;
    const row =
      job.attempt >= job.max_attempts
        ? await this.store.jobs.transition(job.id, 'failed', { finished_at: Date.now(), error_code: code, error_message: message }, { reason })
        : // Its run_after stays: it goes back to its place in its account's queue, ahead of the jobs
          // submitted after it (which it may prepare, as a login does), not behind the whole backlog.
          await this.store.jobs.transition(
            job.id,
            'queued',
            { attempt: job.attempt + 1, worker_id: null, epoch: null, lease_expires_at: null, error_code: code, error_message: message },
            { reason },
          );
    const stepping = row.status === 'failed' ? this.setStep(row, 'failed') : undefined;
    if (stepping) await stepping;
    this.logger.warn('job requeued after its worker was lost', { jobId: job.id, status: row.status });
    return this.done(row);
  }

  /** A queued job that cannot run at all (its account's secrets do not open): failed, not retried. */
  async refusedToRun(job: JobRef, code: string, message: string): Promise<JobRow> {
    const row = await this.move(job, 'failed', { finished_at: Date.now(), error_code: code, error_message: message });
    const stepping = this.setStep(row, 'failed');
    if (stepping) await stepping;
    return this.done(row);
  }

  /** A parent job (invite, batch) ends once its children have. */
  async parentEnded(parentId: string, status: 'succeeded' | 'failed' | 'cancelled', error?: { code: string; message: string }): Promise<JobRow> {
    const row = await this.store.jobs.transition(parentId, status, {
      finished_at: Date.now(),
      ...(status === 'succeeded' ? { progress_percent: 100, progress_step: 'done' } : {}),
      ...(error ? { error_code: error.code, error_message: error.message } : {}),
    });
    const announcing = this.hooks.changed(row);
    if (announcing) await announcing;
    return row;
  }

  private move(job: JobRef, to: JobRow['status'], patch: JobPatch, detail?: Record<string, unknown>): Promise<JobRow> {
    return this.store.jobs.transition(job, to, patch, detail);
  }

  /** Announces the move and asks for a pass; synchronous when nothing that follows the move waits on the store. */
  private done(row: JobRow): JobRow | Promise<JobRow> {
    const announcing = this.hooks.changed(row);
    if (!announcing) {
      this.hooks.schedule();
      return row;
    }
    return announcing.then(() => {
      this.hooks.schedule();
      return row;
    });
  }

  /** Sets the account's step the job's type moves; nothing to wait for when the type moves none. */
  private setStep(job: JobRow, status: 'running' | 'success' | 'failed'): Promise<void> | undefined {
    const step = this.capabilities.stepOf(job.platform, job.type);
    return step && job.account_id ? this.store.accounts.setStepStatus(job.account_id, step, status) : undefined;
  }
}
