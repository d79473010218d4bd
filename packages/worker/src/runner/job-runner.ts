import { z } from 'zod';
import { FleetError, parseOrThrow, type Capability, type JobRun } from '@fleetwright/shared';
import type { BrowserManager } from '../browser/browser-manager.js';
import type { LiveSessions } from '../live/live-sessions.js';
import type { JobDefinition, PlatformPlugin } from '../platforms/plugin.js';
import type { AccountRegistry, AssignedAccount } from './account-registry.js';
import { JobAttempt } from './job-attempt.js';
import { JobFiles } from './job-files.js';
import type { JobReporter } from './job-reporter.js';
import { resolveJobRunnerOptions, type JobRunnerOptions, type ResolvedJobRunnerOptions } from './job-runner-options.js';
import { within } from './job-secrets.js';

/** The input side of a payload schema (defaults optional); a schema JSON Schema cannot express is sent as "anything". */
function payloadJsonSchema(schema: z.ZodType): unknown {
  try {
    return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
  } catch {
    return {};
  }
}

interface RunningJob {
  run: JobRun;
  controller: AbortController;
  done: Promise<void>;
  /** Its result is with the master, which counts the slot free: what is left is cleanup (uploads). */
  reported?: boolean;
}

/**
 * Runs jobs: one at a time per account, up to `maxConcurrency` across accounts, each as a
 * JobAttempt (its signal, pages, run.log, trace and report). The runner decides what runs when,
 * and aborts attempts on cancel, lost lock or shutdown.
 */
export class JobRunner {
  private readonly plugins = new Map<string, PlatformPlugin>();
  private readonly running = new Map<string, RunningJob>();
  private readonly accountTails = new Map<string, Promise<void>>();
  private readonly files: JobFiles;
  private readonly options: ResolvedJobRunnerOptions;
  /** Jobs wait for this: a leftover directory may bear the id of a job that now runs again here. */
  private leftoversRemoved: Promise<unknown> = Promise.resolve();
  private accepting = true;

  constructor(
    plugins: PlatformPlugin[],
    private readonly accounts: AccountRegistry,
    private readonly browsers: BrowserManager,
    private readonly reporter: JobReporter,
    options: JobRunnerOptions,
    /** Live view and takeovers; without it `ctx.askHuman` is refused. */
    private readonly live?: LiveSessions,
  ) {
    for (const plugin of plugins) this.plugins.set(plugin.platform, plugin);
    this.options = resolveJobRunnerOptions(options);
    this.files = new JobFiles(this.options.dataDir, reporter, this.options.logger);
  }

  /**
   * Removes the job directories an earlier run of this worker left behind (the master has their
   * record, or requeued their jobs). Call at start; jobs accepted meanwhile wait for it. Returns
   * the job ids removed.
   */
  removeLeftoverJobDirs(): Promise<string[]> {
    // The jobs here now may be writing their directories; those accepted from now on wait.
    const running = new Set(this.running.keys());
    const removing = this.leftoversRemoved.then(() => this.files.removeLeftovers(running));
    this.leftoversRemoved = removing.catch(() => undefined);
    return removing;
  }

  /** What this worker runs, with each payload's JSON Schema so the master can refuse bad payloads at submit, and each job type's declared limits. */
  capabilities(): Capability[] {
    return [...this.plugins.values()].map((p) => ({
      platform: p.platform,
      jobTypes: Object.keys(p.jobs).sort(),
      payloadSchemas: Object.fromEntries(Object.entries(p.jobs).map(([type, job]) => [type, payloadJsonSchema(job.schema)])),
      // The master turns these into the job's deadline (and lease) when the job names none.
      timeouts: Object.fromEntries(Object.entries(p.jobs).flatMap(([type, job]) => (job.timeoutMs === undefined ? [] : [[type, job.timeoutMs]]))),
      accountSteps: Object.fromEntries(Object.entries(p.jobs).flatMap(([type, job]) => (job.accountStep === undefined ? [] : [[type, job.accountStep]]))),
      // The plugin's default limits per job type, which the master applies unless an operator set their own.
      limits: Object.fromEntries(Object.entries(p.jobs).flatMap(([type, job]) => (job.limits === undefined ? [] : [[type, job.limits]]))),
    }));
  }

  get runningCount(): number {
    return this.running.size;
  }

  /** Whether a job of the account is running or waiting for its turn here. */
  hasJobFor(accountId: string): boolean {
    return this.accountTails.has(accountId);
  }

  /** Whether a job of the account has yet to report its result (to the master, it still runs). */
  hasUnreportedJobFor(accountId: string): boolean {
    for (const job of this.running.values()) if (job.run.accountId === accountId && !job.reported) return true;
    return false;
  }

  /**
   * Resolves when the account's reported jobs have finished here (their files uploaded, their
   * trace stopped), or after `timeoutMs`; true when they did.
   */
  async settled(accountId: string, timeoutMs: number): Promise<boolean> {
    const tail = this.accountTails.get(accountId);
    if (!tail) return true;
    return within(
      tail.then(
        () => true,
        () => true,
      ),
      timeoutMs,
      false,
    );
  }

  /** What a (re)registration tells the master, so it keeps each attempt with this worker rather than run it again. */
  runningJobs(): { jobId: string; accountId: string; epoch: number; attempt: number }[] {
    return [...this.running.values()].map((r) => ({ jobId: r.run.jobId, accountId: r.run.accountId, epoch: r.run.epoch, attempt: r.run.attempt }));
  }

  /** Checks a job before any browser work and starts it; throws a FleetError the master gets in the ack. */
  accept(run: JobRun): void {
    const current = this.running.get(run.jobId);
    if (current?.run.attempt === run.attempt) return; // a re-sent run of the attempt already running
    // Another attempt of a job whose earlier one is still finishing here: refused so the master
    // retries it, rather than tying the new attempt to the old run's report.
    if (current)
      throw new FleetError('CONFLICT', `attempt ${current.run.attempt} of job ${run.jobId} is still finishing on this worker`, {
        field: 'attempt',
        retryable: true,
      });
    if (!this.accepting) throw new FleetError('NO_CAPACITY', 'worker is shutting down');
    const account = this.accounts.get(run.accountId);
    if (!account) throw new FleetError('NOT_OWNER', `account ${run.accountId} is not assigned to this worker`, { field: 'accountId', retryable: true });
    if (account.epoch !== run.epoch)
      throw new FleetError('STALE_EPOCH', `job epoch ${run.epoch} differs from the assignment's ${account.epoch}`, { field: 'epoch', retryable: true });
    const plugin = this.plugins.get(run.platform);
    if (!plugin) throw new FleetError('UNKNOWN_PLATFORM', `no plugin for platform ${run.platform}`, { field: 'platform' });
    const definition = plugin.jobs[run.type];
    if (!definition) throw new FleetError('UNKNOWN_JOB_TYPE', `platform ${run.platform} has no job type ${run.type}`, { field: 'type' });
    const payload = parseOrThrow(definition.schema, run.payload, 'PAYLOAD_INVALID', 'payload');
    // A job whose result is reported no longer counts: the master gave its slot to the next job.
    if (this.unreportedCount() >= this.options.maxConcurrency) throw new FleetError('NO_CAPACITY', 'worker is at its concurrency limit');

    const controller = new AbortController();
    const previous = this.accountTails.get(run.accountId) ?? Promise.resolve();
    const done = previous.then(() => this.leftoversRemoved).then(() => this.execute(run, definition, payload, account, controller));
    const tail = done.finally(() => {
      if (this.accountTails.get(run.accountId) === tail) this.accountTails.delete(run.accountId);
    });
    this.accountTails.set(run.accountId, tail);
    this.running.set(run.jobId, { run, controller, done });
  }

  cancel(jobId: string, reason: string): boolean {
    const job = this.running.get(jobId);
    if (!job) return false;
    job.controller.abort(new FleetError('JOB_CANCELLED', reason));
    return true;
  }

  /** Aborts every job of an account (lost lock, revoked assignment). */
  abortAccount(accountId: string, error: FleetError): void {
    for (const job of this.running.values()) if (job.run.accountId === accountId) job.controller.abort(error);
  }

  /** Stops accepting; waits for running jobs up to `timeoutMs`, then aborts the rest (they requeue). */
  async drain(timeoutMs: number): Promise<void> {
    this.accepting = false;
    const all = Promise.allSettled([...this.running.values()].map((r) => r.done));
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<'expired'>((resolve) => {
      timer = setTimeout(() => resolve('expired'), timeoutMs);
      timer.unref();
    });
    if ((await Promise.race([all, expired])) === 'expired') {
      for (const job of this.running.values()) job.controller.abort(new FleetError('WORKER_LOST', 'worker shut down before the job finished'));
      await all;
    }
    clearTimeout(timer);
  }

  private unreportedCount(): number {
    let n = 0;
    for (const job of this.running.values()) if (!job.reported) n += 1;
    return n;
  }

  private async execute(run: JobRun, definition: JobDefinition, payload: unknown, account: AssignedAccount, controller: AbortController): Promise<void> {
    const attempt = new JobAttempt(run, account, controller.signal, {
      browsers: this.browsers,
      reporter: this.reporter,
      files: this.files,
      options: this.options,
      ...(this.live ? { live: this.live } : {}),
      onReported: () => {
        const job = this.running.get(run.jobId);
        if (job) job.reported = true;
      },
    });
    try {
      const result = await attempt.whileLive(() => definition.run(attempt.context(), payload));
      // A result that cannot be reported fails the attempt, as a handler's error does.
      await attempt.succeed(result);
    } catch (error) {
      await attempt.fail(error);
    } finally {
      await attempt.dispose();
      this.running.delete(run.jobId);
      await this.browsers.jobFinished(run.accountId).catch(() => false);
    }
  }
}
