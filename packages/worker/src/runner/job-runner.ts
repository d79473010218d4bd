import path from 'node:path';
import { z } from 'zod';
import type { Page } from 'playwright-core';
import { FleetError, RESULT_BOUNDS, checkJsonBounds, parseOrThrow, type Capability, type JobRun, type TraceMode, type WorkerJobResult } from '@fleetwright/shared';
import type { BrowserManager } from '../browser/browser-manager.js';
import type { JobContext, JobDefinition, PlatformPlugin } from '../platforms/plugin.js';
import type { AccountRegistry, AssignedAccount } from './account-registry.js';
import { classifyError, firstLineOf } from './classify-error.js';
import { closePagesWithin } from './close-pages.js';
import { JobFiles } from './job-files.js';
import type { JobEventReport, JobReporter } from './job-reporter.js';
import type { JobRunnerOptions } from './job-runner-options.js';
import { JobSecrets, within } from './job-secrets.js';
import { JobTrace } from './job-trace.js';
import { RunLog } from './run-log.js';
import { keepScrubbedTrace } from './trace-scrubber.js';

/** The input side of a payload schema (defaults optional); a schema JSON Schema cannot express is sent as "anything". */
function payloadJsonSchema(schema: z.ZodType): unknown {
  try {
    return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
  } catch {
    return {};
  }
}

function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 64) || 'job';
}

/** The result as it may leave the worker: the job's secrets scrubbed from its value or error. */
function scrubResult(result: WorkerJobResult, secrets: JobSecrets): WorkerJobResult {
  if (result.status === 'succeeded') return { ...result, result: secrets.value(result.result) };
  if (!result.error) return result;
  return { ...result, error: secrets.value({ ...result.error, message: secrets.text(result.error.message) }) };
}

interface RunningJob {
  run: JobRun;
  controller: AbortController;
  done: Promise<void>;
  /** Its result is with the master, which counts the slot free: what is left is cleanup (uploads). */
  reported?: boolean;
}

/**
 * Runs jobs: one at a time per account, up to `maxConcurrency` across accounts. Each job gets an
 * AbortSignal that fires on cancel, deadline or lost lock, a run.log, and fresh pages that are
 * closed after it.
 */
export class JobRunner {
  private readonly plugins = new Map<string, PlatformPlugin>();
  private readonly running = new Map<string, RunningJob>();
  private readonly accountTails = new Map<string, Promise<void>>();
  private readonly files: JobFiles;
  /** Jobs wait for this: a leftover directory may bear the id of a job that now runs again here. */
  private leftoversRemoved: Promise<unknown> = Promise.resolve();
  /** `options.trace`, or `off` for the deprecated `traceOnFailure: false`. */
  private readonly traceMode: TraceMode;
  private accepting = true;

  constructor(
    plugins: PlatformPlugin[],
    private readonly accounts: AccountRegistry,
    private readonly browsers: BrowserManager,
    private readonly reporter: JobReporter,
    private readonly options: JobRunnerOptions,
  ) {
    for (const plugin of plugins) this.plugins.set(plugin.platform, plugin);
    this.traceMode = options.traceOnFailure === false ? 'off' : (options.trace ?? 'full-on-retry');
    this.files = new JobFiles(options.dataDir, reporter, options.logger);
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

  /** What this worker runs, with each payload's JSON Schema so the master can refuse bad payloads at submit. */
  capabilities(): Capability[] {
    return [...this.plugins.values()].map((p) => ({
      platform: p.platform,
      jobTypes: Object.keys(p.jobs).sort(),
      payloadSchemas: Object.fromEntries(Object.entries(p.jobs).map(([type, job]) => [type, payloadJsonSchema(job.schema)])),
      // The master turns these into the job's deadline (and lease) when the job names none.
      timeouts: Object.fromEntries(Object.entries(p.jobs).flatMap(([type, job]) => (job.timeoutMs === undefined ? [] : [[type, job.timeoutMs]]))),
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
    return within(tail.then(() => true, () => true), timeoutMs, false);
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
    if (current) throw new FleetError('CONFLICT', `attempt ${current.run.attempt} of job ${run.jobId} is still finishing on this worker`, { field: 'attempt', retryable: true });
    if (!this.accepting) throw new FleetError('NO_CAPACITY', 'worker is shutting down');
    const account = this.accounts.get(run.accountId);
    if (!account) throw new FleetError('NOT_OWNER', `account ${run.accountId} is not assigned to this worker`, { field: 'accountId', retryable: true });
    if (account.epoch !== run.epoch) throw new FleetError('STALE_EPOCH', `job epoch ${run.epoch} differs from the assignment's ${account.epoch}`, { field: 'epoch', retryable: true });
    const plugin = this.plugins.get(run.platform);
    if (!plugin) throw new FleetError('UNKNOWN_PLATFORM', `no plugin for platform ${run.platform}`, { field: 'platform' });
    const definition = plugin.jobs[run.type];
    if (!definition) throw new FleetError('UNKNOWN_JOB_TYPE', `platform ${run.platform} has no job type ${run.type}`, { field: 'type' });
    const payload = parseOrThrow(definition.schema, run.payload, 'PAYLOAD_INVALID', 'payload');
    // A job whose result is reported no longer counts: the master gave its slot to the next job.
    if (this.unreportedCount() >= (this.options.maxConcurrency ?? 4)) throw new FleetError('NO_CAPACITY', 'worker is at its concurrency limit');

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

  /**
   * Closes the pages and run.log, uploads the job's files, then reports, its secrets scrubbed: the
   * artifacts are listed when the result lands. `afterResult` is the job's own bookkeeping that
   * need not delay it. The worker's copy of the files goes once they are uploaded.
   */
  private async finishJob(run: JobRun, runLog: RunLog, closePages: () => Promise<unknown>, secrets: JobSecrets, result: WorkerJobResult, afterResult?: () => Promise<void>): Promise<void> {
    // Read before the pages close: a job that signed in holds a cookie no one registered.
    await secrets.settle();
    await closePages();
    await runLog.close();
    // A failure's evidence is listed when its result lands; a success's run.log follows its
    // result, off the job's critical path (it measured ~10 % of a warm job).
    if (result.status !== 'succeeded') await this.files.uploadAndRemove(run.jobId, run.attempt);
    await this.reporter.result(scrubResult(result, secrets));
    const job = this.running.get(run.jobId);
    if (job) job.reported = true;
    await afterResult?.();
    if (result.status === 'succeeded') await this.files.uploadAndRemove(run.jobId, run.attempt);
  }

  /**
   * Keeps a failed attempt's trace as the job's trace.zip, scrubbed of the account's secrets; when
   * that fails there is no trace, and run.log and the worker's log say why.
   */
  private async keepTrace(run: JobRun, trace: JobTrace, secrets: JobSecrets, runLog: RunLog): Promise<void> {
    const jobDir = this.files.dirOf(run.jobId);
    const raw = await trace.saveUnscrubbed(jobDir);
    if (!raw) return;
    // The full storage state (localStorage too, which may open the origins): only a failure pays for it.
    secrets.addStorageState(await within(this.browsers.snapshot(run.accountId), 5000, undefined));
    const dropped = await keepScrubbedTrace(raw, path.join(jobDir, 'trace.zip'), secrets.scrubber);
    if (!dropped) return;
    runLog.line(`trace.zip dropped: it could not be scrubbed of the account's secrets (${dropped})`);
    this.options.logger.warn('trace dropped: it could not be scrubbed', { jobId: run.jobId, error: dropped });
  }

  private async execute(run: JobRun, definition: JobDefinition, payload: unknown, account: AssignedAccount, controller: AbortController): Promise<void> {
    const { signal } = controller;
    const startedAt = Date.now();
    // One deadline for both sides: the master folded the plugin's timeoutMs into run.timeoutMs.
    const deadline = startedAt + run.timeoutMs;
    const timer = setTimeout(() => controller.abort(new FleetError('TIMEOUT', `job ran past its deadline of ${deadline - startedAt} ms`)), deadline - startedAt);
    timer.unref();
    const pages: Page[] = [];
    /** A page that would not close: the context is closed (or killed) after the job, so it cannot linger. */
    let stuckPages = 0;
    const closePages = async (): Promise<void> => {
      stuckPages = Math.max(stuckPages, (await closePagesWithin(pages)).length);
    };
    // Closing the job's pages makes any pending Playwright call inside the handler throw at once.
    signal.addEventListener('abort', () => void closePages(), { once: true });
    const report = { jobId: run.jobId, accountId: run.accountId, epoch: run.epoch, attempt: run.attempt };
    const jobDir = this.files.dirOf(run.jobId);
    // What of this account must not leave the worker; the job's own session joins as it is seen.
    const secrets = new JobSecrets(account);
    /** Progress goes out in order, each after the cookies it may quote are known. */
    let progressSent = Promise.resolve();
    const runLog = new RunLog(jobDir, {
      ...(this.reporter.log ? { live: (lines: string[]) => this.reporter.log!({ ...report, lines }) } : {}),
      beforeFlush: () => secrets.refresh(),
      scrub: (text) => secrets.scrubber.text(text),
      onFileError: (error) => this.options.logger.warn('run.log cannot be written: the job goes on without it', { jobId: run.jobId, error: firstLineOf(error) }),
    });
    let step = 'start';
    const trace = new JobTrace(this.traceMode, run.attempt, () => this.browsers.tracingOf(run.accountId));
    const lastPage = (): Page | undefined => [...pages].reverse().find((p) => !p.isClosed());
    const ctx: JobContext = {
      jobId: run.jobId,
      accountId: run.accountId,
      attempt: run.attempt,
      credentials: account.credentials,
      signal,
      page: async () => {
        signal.throwIfAborted();
        // A live context's trace starts while the page opens (~5 ms off a warm job); the trace of a
        // context this call opens starts once it is open. Either way, before the page's first action.
        const starting = trace.start();
        let page: Page;
        try {
          page = await this.browsers.newPage(account);
        } finally {
          await starting;
        }
        pages.push(page);
        secrets.watch(page.context());
        await trace.start();
        page.setDefaultTimeout(Math.max(1000, Math.min(this.options.actionTimeoutMs ?? 30_000, deadline - Date.now())));
        if (signal.aborted) await page.close();
        return page;
      },
      progress: (percent, name, message) => {
        // The step also names the failure's screenshot, an artifact: scrubbed before either use.
        step = secrets.text(name);
        runLog.line(`progress ${Math.round(percent)}% ${name}${message ? `: ${message}` : ''}`);
        const bounded = Math.max(0, Math.min(100, percent));
        progressSent = progressSent
          .then(async () => {
            await secrets.refresh();
            this.reporter.progress({ ...report, percent: bounded, step: secrets.text(name), ...(message ? { message: secrets.text(message) } : {}) });
          })
          .catch(() => undefined); // best effort, as before: a failed send must not fail the job
      },
      emit: async (event, data) => {
        signal.throwIfAborted();
        runLog.line(`emit ${event}`);
        await secrets.refresh();
        const scrubbed = secrets.value(data) as object;
        await this.reporter.jobEvent?.({ event, payload: { ...report, ...scrubbed } } as JobEventReport);
      },
      screenshot: async (name) => {
        const page = lastPage();
        if (!page) throw new FleetError('INTERNAL_ERROR', 'screenshot() needs a page: call page() first');
        await page.screenshot({ path: path.join(jobDir, `${safeName(secrets.text(name))}.png`), timeout: 10_000 });
      },
      log: (line) => runLog.line(line),
      saveState: async () => {
        const storageState = await this.browsers.snapshot(run.accountId);
        account.storageStateVersion += 1;
        account.storageState = storageState;
        secrets.addStorageState(storageState);
        await this.reporter.stateSnapshot({ accountId: run.accountId, epoch: run.epoch, version: account.storageStateVersion, storageState });
      },
    };
    runLog.line(`job ${run.jobId} ${run.platform}/${run.type} attempt ${run.attempt} on account ${run.accountId}`);
    try {
      signal.throwIfAborted();
      const aborted = new Promise<never>((_, reject) => {
        if (signal.aborted) reject(signal.reason as Error);
        signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
      });
      const result = await Promise.race([definition.run(ctx, payload), aborted]);
      // A result the master would refuse (too deep or too big) fails here, naming `result`, instead.
      checkJsonBounds(result ?? null, 'result', RESULT_BOUNDS);
      runLog.line(`succeeded in ${Date.now() - startedAt} ms`);
      await progressSent;
      // A success's trace is discarded: after its result, so the client does not wait for that.
      await this.finishJob(run, runLog, closePages, secrets, { ...report, status: 'succeeded', result: result ?? null }, () => trace.discard());
    } catch (error) {
      const failure = classifyError(error, signal);
      runLog.line(`${failure.code}: ${failure.message}`);
      await progressSent;
      if (failure.code === 'JOB_CANCELLED') {
        await trace.discard();
        await this.finishJob(run, runLog, closePages, secrets, { ...report, status: 'cancelled', error: failure.toJSON() });
      } else {
        // What the page looked like, and how it got there: named after the step that failed.
        const page = lastPage();
        if (page) await page.screenshot({ path: path.join(jobDir, `${safeName(step)}_failed.png`), timeout: 5000 }).catch(() => undefined);
        await this.keepTrace(run, trace, secrets, runLog);
        await this.finishJob(run, runLog, closePages, secrets, { ...report, status: 'failed', error: failure.toJSON() });
      }
    } finally {
      clearTimeout(timer);
      await trace.discard();
      await closePages();
      await runLog.close();
      if (stuckPages > 0) {
        this.options.logger.warn('a page of the job would not close; closing its context', { jobId: run.jobId, accountId: run.accountId, pages: stuckPages });
        await this.browsers.closeContext(run.accountId, { snapshot: true }).catch(() => undefined);
      }
      this.running.delete(run.jobId);
      await this.browsers.jobFinished(run.accountId).catch(() => false);
    }
  }
}
