import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import {
  AskHumanOptionsSchema,
  FleetError,
  RESULT_BOUNDS,
  RateLimitedSchema,
  WAITING_FOR_A_PERSON,
  checkJsonBounds,
  parseOrThrow,
  type JobRun,
  type RateLimited,
  type WorkerJobResult,
} from '@fleetwright/shared';
import type { BrowserManager } from '../browser/browser-manager.js';
import { JobVideo, VIDEO_ARTIFACT } from '../live/job-video.js';
import type { LiveSessions } from '../live/live-sessions.js';
import type { JobContext } from '../platforms/plugin.js';
import { RateLimitedError } from '../platforms/rate-limited-error.js';
import type { AssignedAccount } from './account-registry.js';
import { classifyError, firstLineOf } from './classify-error.js';
import { closePagesWithin } from './close-pages.js';
import type { JobFiles } from './job-files.js';
import type { JobEventReport, JobReporter } from './job-reporter.js';
import type { ResolvedJobRunnerOptions } from './job-runner-options.js';
import { JobSecrets, within } from './job-secrets.js';
import { JobTrace } from './job-trace.js';
import { RunLog } from './run-log.js';

/** What an attempt uses of the worker around it. */
export interface JobAttemptDeps {
  browsers: BrowserManager;
  reporter: JobReporter;
  files: JobFiles;
  /** Read as the attempt starts (its trace mode) and when it opens a page (the action timeout). */
  options: ResolvedJobRunnerOptions;
  /** The account's live view and takeover gate; absent, `askHuman` is refused. */
  live?: LiveSessions;
  /** The attempt's result is on its way to the master, which frees its slot as it takes it: what is left is cleanup (uploads). */
  onReported(): void;
}

function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 64) || 'job';
}

/** The result as it may leave the worker: the job's secrets scrubbed from its value or error. */
function scrubResult(result: WorkerJobResult, secrets: JobSecrets): WorkerJobResult {
  if (result.status === 'succeeded') return { ...result, result: secrets.value(result.result) };
  // Scrubbing may lengthen the message past what the master takes.
  if (result.status === 'rate_limited') return result.message ? { ...result, message: secrets.text(result.message).slice(0, 1024) } : result;
  if (!result.error) return result;
  return { ...result, error: secrets.value({ ...result.error, message: secrets.text(result.error.message) }) };
}

/**
 * One attempt of a job on this worker: its deadline and signal, the pages it opens, its run.log,
 * its trace and the secrets nothing it reports may carry. The plugin gets `context()`; the attempt
 * then ends with `succeed()` or `fail()`, and `dispose()` always follows.
 */
export class JobAttempt {
  /** Fires on cancel, deadline or lost lock; its reason is the FleetError the job ends with. */
  readonly signal: AbortSignal;
  private readonly startedAt = Date.now();
  /** One deadline for both sides: the master folded the plugin's timeoutMs into run.timeoutMs. */
  private readonly deadline: number;
  private readonly timer: NodeJS.Timeout;
  /** What every report of the attempt names it by. */
  private readonly report: { jobId: string; accountId: string; epoch: number; attempt: number };
  private readonly jobDir: string;
  /** What of this account must not leave the worker; the job's own session joins as it is seen. */
  private readonly secrets: JobSecrets;
  private readonly runLog: RunLog;
  private readonly trace: JobTrace;
  /** The attempt's video, when the worker records them. */
  private readonly video: JobVideo | undefined;
  private readonly pages: Page[] = [];
  /**
   * The contexts of pages that would not close: each is closed (or killed) after the job, so they
   * cannot linger. That context only: its browser may have crashed and the account reopened since.
   */
  private readonly stuckContexts = new Map<BrowserContext, number>();
  /** The step last reported, which names the failure's screenshot. */
  private step = 'start';
  private percent = 0;
  /** The gate's claim count as the attempt started: more at its end means a person held its page. */
  private readonly claimsAtStart: number;
  /** Progress goes out in order, each after the cookies it may quote are known. */
  private progressSent = Promise.resolve();
  private disposed: Promise<void> | undefined;

  constructor(
    private readonly run: JobRun,
    private readonly account: AssignedAccount,
    /** Aborted by the runner: cancel, lost lock or shutdown, with the error as its reason. */
    cancel: AbortSignal,
    private readonly deps: JobAttemptDeps,
  ) {
    this.deadline = this.startedAt + run.timeoutMs;
    const expiry = new AbortController();
    this.timer = setTimeout(() => expiry.abort(new FleetError('TIMEOUT', `job ran past its deadline of ${run.timeoutMs} ms`)), run.timeoutMs);
    this.timer.unref();
    this.signal = AbortSignal.any([cancel, expiry.signal]);
    // Closing the job's pages makes any pending Playwright call inside the handler throw at once.
    this.signal.addEventListener('abort', () => void this.closePages(), { once: true });
    this.report = { jobId: run.jobId, accountId: run.accountId, epoch: run.epoch, attempt: run.attempt };
    this.jobDir = deps.files.dirOf(run.jobId);
    this.secrets = new JobSecrets(account);
    const { reporter, options } = deps;
    this.runLog = new RunLog(this.jobDir, {
      ...(reporter.log ? { live: (lines: string[]) => reporter.log!({ ...this.report, lines }) } : {}),
      beforeFlush: () => this.secrets.refresh(),
      scrub: (text) => this.secrets.scrubber.text(text),
      onFileError: (error) => options.logger.warn('run.log cannot be written: the job goes on without it', { jobId: run.jobId, error: firstLineOf(error) }),
    });
    this.trace = new JobTrace(options.trace, run.attempt, () => deps.browsers.tracingOf(run.accountId));
    this.runLog.line(`job ${run.jobId} ${run.platform}/${run.type} attempt ${run.attempt} on account ${run.accountId}`);
    this.claimsAtStart = deps.live?.gateOf(run.accountId).claims ?? 0;
    this.video =
      options.recordVideo === 'off' ? undefined : new JobVideo(path.join(this.jobDir, VIDEO_ARTIFACT), () => deps.live?.gateOf(run.accountId).isHeld ?? false);
  }

  /** What the plugin's handler is given. */
  context(): JobContext {
    const { run, account, signal, secrets, runLog } = this;
    const { browsers, reporter, live } = this.deps;
    const gate = live?.gateOf(run.accountId);
    // While a person holds the session, the job waits at its next call that returns a promise.
    const paused =
      <A extends unknown[], R>(call: (...args: A) => Promise<R>) =>
      async (...args: A): Promise<R> => {
        await gate?.whenFree(signal);
        return call(...args);
      };
    const context: JobContext = {
      jobId: run.jobId,
      accountId: run.accountId,
      attempt: run.attempt,
      credentials: account.credentials,
      signal,
      page: paused(() => this.openPage()),
      progress: (percent, name, message) => {
        // The step also names the failure's screenshot, an artifact: scrubbed before either use.
        this.step = secrets.text(name);
        this.percent = percent;
        runLog.line(`progress ${Math.round(percent)}% ${name}${message ? `: ${message}` : ''}`);
        const bounded = Math.max(0, Math.min(100, percent));
        this.progressSent = this.progressSent
          .then(async () => {
            await secrets.refresh();
            reporter.progress({ ...this.report, percent: bounded, step: secrets.text(name), ...(message ? { message: secrets.text(message) } : {}) });
          })
          .catch(() => undefined); // best effort, as before: a failed send must not fail the job
      },
      emit: paused(async (event, data) => {
        signal.throwIfAborted();
        runLog.line(`emit ${event}`);
        await secrets.refresh();
        const scrubbed = secrets.value(data) as object;
        await reporter.jobEvent?.({ event, payload: { ...this.report, ...scrubbed } } as JobEventReport);
      }) as JobContext['emit'],
      screenshot: paused(async (name: string) => {
        const page = this.lastPage();
        if (!page) throw new FleetError('INTERNAL_ERROR', 'screenshot() needs a page: call page() first');
        await page.screenshot({ path: path.join(this.jobDir, `${safeName(secrets.text(name))}.png`), timeout: 10_000 });
      }),
      log: (line) => runLog.line(line),
      saveState: paused(async () => {
        const storageState = await browsers.snapshot(run.accountId);
        account.storageStateVersion += 1;
        account.storageState = storageState;
        secrets.addStorageState(storageState);
        await reporter.stateSnapshot({ accountId: run.accountId, epoch: run.epoch, version: account.storageStateVersion, storageState });
      }),
      askHuman: async (options) => {
        const { reason, timeoutMs } = parseOrThrow(AskHumanOptionsSchema, options, 'VALIDATION_FAILED', 'askHuman');
        if (!gate || !reporter.humanNeeded) throw new FleetError('INTERNAL_ERROR', 'askHuman() needs a worker connected to a master');
        signal.throwIfAborted();
        context.progress(this.percent, WAITING_FOR_A_PERSON, reason);
        // The step goes out before the request: whoever hears of the request reads the job waiting.
        await this.progressSent;
        await secrets.refresh();
        const asked = { ...this.report, reason: secrets.text(reason), timeoutMs };
        await reporter.humanNeeded(asked);
        await gate.waitForHandBack(signal, timeoutMs, asked.reason, asked);
        runLog.line('a person handed back');
      },
      rateLimited: (options) => {
        throw new RateLimitedError(parseOrThrow(RateLimitedSchema, options, 'VALIDATION_FAILED', 'rateLimited'));
      },
    };
    return context;
  }

  /**
   * The handler's outcome, or the signal's reason as soon as it fires: a handler that ignores its
   * signal is left behind. A handler is not started once the signal has fired.
   */
  async whileLive<T>(handler: () => Promise<T>): Promise<T> {
    const { signal } = this;
    signal.throwIfAborted();
    const aborted = new Promise<never>((_, reject) => {
      if (signal.aborted) reject(signal.reason as Error);
      signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
    });
    return Promise.race([handler(), aborted]);
  }

  /**
   * Reports the handler's result. Throws when the result is out of bounds (too deep or too big:
   * the master would refuse it) or cannot be reported; the caller then calls `fail()` with that.
   */
  async succeed(result: unknown): Promise<void> {
    checkJsonBounds(result ?? null, 'result', RESULT_BOUNDS);
    this.runLog.line(`succeeded in ${Date.now() - this.startedAt} ms`);
    await this.progressSent;
    // A success's trace is discarded: after its result, so the client does not wait for that.
    await this.finish({ ...this.report, status: 'succeeded', result: result ?? null }, () => this.trace.discard());
  }

  /**
   * Reports the attempt as cancelled (a JOB_CANCELLED error or abort), rate-limited (the
   * `RateLimitedError` of `ctx.rateLimited`) or failed; a failure keeps what the page looked like,
   * named after the step that failed, and how it got there (the trace).
   */
  async fail(error: unknown): Promise<void> {
    // A cancel, deadline or lost lock that fired meanwhile wins: the job ends as that.
    if (error instanceof RateLimitedError && !this.signal.aborted) return this.rateLimited(error.throttle);
    const failure = classifyError(error, this.signal);
    this.runLog.line(`${failure.code}: ${failure.message}`);
    await this.progressSent;
    if (failure.code === 'JOB_CANCELLED') {
      await this.trace.discard();
      await this.finish({ ...this.report, status: 'cancelled', error: failure.toJSON() });
      return;
    }
    const page = this.lastPage();
    if (page) await page.screenshot({ path: path.join(this.jobDir, `${safeName(this.step)}_failed.png`), timeout: 5000 }).catch(() => undefined);
    await this.keepTrace();
    await this.finish({ ...this.report, status: 'failed', error: failure.toJSON() });
  }

  /**
   * Reports the attempt as throttled by the platform (`ctx.rateLimited`): not a failure, so, as a
   * cancel, it keeps run.log but no screenshot or trace.
   */
  private async rateLimited(throttle: RateLimited): Promise<void> {
    const { retryAfterMs, scope, message } = throttle;
    this.runLog.line(`RATE_LIMITED (${scope}): retry after ${retryAfterMs} ms${message ? `: ${message}` : ''}`);
    await this.progressSent;
    await this.trace.discard();
    await this.finish({ ...this.report, status: 'rate_limited', retryAfterMs, scope, ...(message ? { message } : {}) });
  }

  /**
   * Stops the deadline and the trace, closes the pages and run.log, and closes the account's
   * context when a page would not close. Idempotent.
   */
  dispose(): Promise<void> {
    this.disposed ??= this.cleanUp();
    return this.disposed;
  }

  private async cleanUp(): Promise<void> {
    clearTimeout(this.timer);
    this.deps.live?.attemptEnded(this.run.accountId);
    await this.video?.stop(false);
    await this.trace.discard();
    await this.closePages();
    await this.runLog.close();
    for (const [context, pages] of this.stuckContexts) {
      const { run } = this;
      this.deps.options.logger.warn('a page of the job would not close; closing its context', { jobId: run.jobId, accountId: run.accountId, pages });
      await this.deps.browsers.closeContext(run.accountId, { snapshot: true, only: context }).catch(() => undefined);
    }
  }

  private async openPage(): Promise<Page> {
    const { signal, trace } = this;
    signal.throwIfAborted();
    // A live context's trace starts while the page opens, off the warm job's path; the trace of a
    // context this call opens starts once it is open. Either way, before the page's first action.
    const starting = trace.start();
    let page: Page;
    try {
      page = await this.deps.browsers.newPage(this.account, signal);
    } finally {
      await starting;
    }
    this.pages.push(page);
    this.deps.live?.pageOpened(this.run.accountId, page);
    this.video?.follow(page);
    this.secrets.watch(page.context());
    await trace.start();
    page.setDefaultTimeout(Math.max(1000, Math.min(this.deps.options.actionTimeoutMs, this.deadline - Date.now())));
    if (signal.aborted) await page.close();
    return page;
  }

  private lastPage(): Page | undefined {
    return [...this.pages].reverse().find((p) => !p.isClosed());
  }

  private async closePages(): Promise<void> {
    const stuck = new Map<BrowserContext, number>();
    for (const page of await closePagesWithin(this.pages)) stuck.set(page.context(), (stuck.get(page.context()) ?? 0) + 1);
    // A page stuck at the first close may fail fast at the second (its browser gone): it still counts.
    for (const [context, pages] of stuck) this.stuckContexts.set(context, Math.max(this.stuckContexts.get(context) ?? 0, pages));
  }

  /**
   * Closes the pages and run.log, uploads the job's files, then reports, its secrets scrubbed: the
   * artifacts are listed when the result lands. `afterResult` is the attempt's own bookkeeping
   * that need not delay it. The worker's copy of the files goes once they are uploaded.
   */
  private async finish(result: WorkerJobResult, afterResult?: () => Promise<void>): Promise<void> {
    const { files, reporter } = this.deps;
    const { jobId, attempt } = this.run;
    // Read before the pages close: a job that signed in holds a cookie no one registered.
    await this.secrets.settle();
    const keepVideo = this.deps.options.recordVideo === 'always' || (this.deps.options.recordVideo === 'on-failure' && result.status === 'failed');
    await this.video?.stop(keepVideo);
    await this.closePages();
    await this.runLog.close();
    // A failure's evidence is listed when its result lands; a success's run.log follows its
    // result, off the job's critical path (docs/PERFORMANCE.md has what that saves).
    if (result.status !== 'succeeded') await files.uploadAndRemove(jobId, attempt);
    // Counted as reported once sent: the master frees the job's slot (and allows a stop of its
    // account) as it takes the result, which may be before its ack comes back here.
    const sent = reporter.result(scrubResult(result, this.secrets));
    this.deps.onReported();
    await sent;
    await afterResult?.();
    if (result.status === 'succeeded') await files.uploadAndRemove(jobId, attempt);
  }

  /**
   * Keeps a failed attempt's trace as the job's trace.zip, scrubbed of the account's secrets; when
   * that fails there is no trace, and run.log and the worker's log say why.
   */
  private async keepTrace(): Promise<void> {
    const { browsers, options, live } = this.deps;
    if ((live?.gateOf(this.run.accountId).claims ?? 0) > this.claimsAtStart) {
      // A trace records every input and request, so it would keep what the person typed.
      await this.trace.discard();
      this.runLog.line('trace.zip dropped: a person held the session during this attempt');
      return;
    }
    const dropped = await this.trace.keepScrubbed(this.jobDir, async () => {
      // The full storage state (localStorage too, which may open the origins): only a failure pays for it.
      this.secrets.addStorageState(await within(browsers.snapshot(this.run.accountId), 5000, undefined));
      return this.secrets.scrubber;
    });
    if (!dropped) return;
    this.runLog.line(`trace.zip dropped: it could not be scrubbed of the account's secrets (${dropped})`);
    options.logger.warn('trace dropped: it could not be scrubbed', { jobId: this.run.jobId, error: dropped });
  }
}
