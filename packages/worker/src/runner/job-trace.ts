import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Tracing } from 'playwright-core';
import type { TraceMode } from '@fleetwright/shared';
import { within } from './job-secrets.js';
import type { SecretScrubber } from './secret-scrubber.js';
import { keepScrubbedTrace } from './trace-scrubber.js';

/**
 * Where a failed attempt's trace is first written: a subdirectory of the job's directory, whose
 * files are never uploaded. Only the scrubbed copy becomes the job's `trace.zip`.
 */
export const UNSCRUBBED_DIR = 'unscrubbed';

const STOP_TIMEOUT_MS = 10_000;

/**
 * The Playwright trace of one job attempt: started with the attempt's first page, kept only when
 * it fails. `snapshots` (always with `full`, from the first retry on with `full-on-retry`) adds DOM
 * snapshots and network, which make the trace browsable but cost a warm job much of its time
 * (docs/PERFORMANCE.md); actions, call logs, console and page errors are recorded either way.
 */
export class JobTrace {
  private readonly record: boolean;
  private readonly snapshots: boolean;
  private tracing: Tracing | undefined;
  private started: Promise<void> | undefined;

  constructor(
    mode: TraceMode,
    attempt: number,
    /** The account context's tracing, undefined while the context is not open. */
    private readonly tracingOf: () => Tracing | undefined,
  ) {
    this.record = mode !== 'off';
    this.snapshots = mode === 'full' || attempt > 1;
  }

  /** Starts the trace once (concurrent pages share it); undefined while the context is not open. */
  start(): Promise<void> | undefined {
    if (!this.record || this.started) return this.started;
    const target = this.tracingOf();
    if (!target) return undefined;
    this.started = (async () => {
      try {
        // Per-action screenshots cost more than the job itself.
        await target.start({ screenshots: false, snapshots: this.snapshots });
        this.tracing = target;
      } catch {
        // already tracing (a crashed job's leftover) or the context is gone
      }
    })();
    return this.started;
  }

  /** Stops the trace and throws it away. Idempotent. */
  async discard(): Promise<void> {
    await this.stop();
  }

  /**
   * Stops the trace and keeps it as the job's `trace.zip`, scrubbed with what `scrubber` resolves
   * to: asked for only when there is a trace to scrub. Returns why the trace was dropped (an
   * unscrubbed trace is never kept), or undefined.
   */
  async keepScrubbed(jobDir: string, scrubber: () => Promise<SecretScrubber>): Promise<string | undefined> {
    const raw = await this.saveUnscrubbed(jobDir);
    if (!raw) return undefined;
    return keepScrubbedTrace(raw, path.join(jobDir, 'trace.zip'), await scrubber());
  }

  /**
   * Stops the trace and saves it, unscrubbed, under the job's `unscrubbed/` directory. Returns
   * its path, or undefined when nothing was recorded.
   */
  private async saveUnscrubbed(jobDir: string): Promise<string | undefined> {
    if (!this.tracing) return undefined;
    const file = path.join(jobDir, UNSCRUBBED_DIR, 'trace.zip');
    await mkdir(path.dirname(file), { recursive: true }).catch(() => undefined);
    await this.stop(file);
    return existsSync(file) ? file : undefined;
  }

  private async stop(file?: string): Promise<void> {
    const current = this.tracing;
    this.tracing = undefined;
    // Bounded like a page's close: a context with a page stuck mid-navigation may never answer.
    if (current) await within(current.stop(file ? { path: file } : {}), STOP_TIMEOUT_MS, undefined);
  }
}
