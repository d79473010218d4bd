import { findChromium, type JobRun, type TaskAssign, type TraceMode } from '@fleetwright/shared';
import { BrowserManager, type PlatformPlugin } from '@fleetwright/worker';
import type { LeaseProvider } from '../../dist/browser/lease-provider.js';
import { AccountRegistry } from '../../dist/runner/account-registry.js';
import { JobRunner } from '../../dist/runner/job-runner.js';
import { taskAssign } from './accounts.js';
import { RecordingReporter } from './recording-reporter.js';
import { makeTempDir } from './temp-dir.js';
import { quietLogger } from './quiet-logger.js';

export interface RunnerRigOptions {
  plugins: PlatformPlugin[];
  /** @defaultValue 4 */
  maxConcurrency?: number;
  /** @defaultValue 4 */
  maxLiveContexts?: number;
  /** @defaultValue `persistent` */
  browserMode?: 'persistent' | 'shared';
  /** Profile locks (Redis) held while contexts are open. */
  leases?: LeaseProvider;
  /** @defaultValue the runner's default (`full-on-retry`) */
  trace?: TraceMode;
  /** Origins that get `X-Fleet-Fence`. @defaultValue the account's plugin's `fenceOrigins`, as a worker does */
  fenceOrigins?: string[];
}

/**
 * A worker's runtime without its socket: real BrowserManager (real Chromium), AccountRegistry,
 * JobRunner, and a recording reporter in place of the master. `close()` ends all of it.
 */
export class RunnerRig {
  readonly temp = makeTempDir();
  readonly reporter = new RecordingReporter();
  readonly accounts = new AccountRegistry();
  readonly browsers: BrowserManager;
  readonly runner: JobRunner;
  private readonly platform: string;
  private seq = 0;

  constructor(options: RunnerRigOptions) {
    this.platform = options.plugins[0]?.platform ?? 'sandbox';
    this.browsers = new BrowserManager({
      dataDir: this.temp.dir,
      chromiumPath: findChromium(),
      maxLiveContexts: options.maxLiveContexts ?? 4,
      closeTimeoutMs: 5000,
      logger: quietLogger,
      ...(options.leases ? { leases: options.leases } : {}),
      onLeaseLost: (accountId, error) => this.runner.abortAccount(accountId, error),
      onContextCrashed: (accountId, error) => this.runner.abortAccount(accountId, error),
      ...(options.browserMode ? { browserMode: options.browserMode } : {}),
      fenceOriginsOf: (accountId) =>
        options.fenceOrigins ?? options.plugins.find((p) => p.platform === this.accounts.get(accountId)?.platform)?.fenceOrigins ?? [],
    });
    this.runner = new JobRunner(options.plugins, this.accounts, this.browsers, this.reporter, {
      dataDir: this.temp.dir,
      maxConcurrency: options.maxConcurrency ?? 4,
      ...(options.trace ? { trace: options.trace } : {}),
      logger: quietLogger,
    });
  }

  assign(accountId: string, overrides: Partial<TaskAssign> = {}): void {
    this.accounts.assign(taskAssign(accountId, { platform: this.platform, ...overrides }));
  }

  /** A job run as the master would send it; `jobId` is unique per rig unless given. */
  jobRun(overrides: Partial<JobRun> & Pick<JobRun, 'accountId' | 'type'>): JobRun {
    this.seq += 1;
    return { jobId: `job-${this.seq}`, epoch: 1, platform: this.platform, payload: {}, attempt: 1, timeoutMs: 30_000, ...overrides };
  }

  /** Accepts a run and returns it, so the test can wait for its result. */
  start(overrides: Partial<JobRun> & Pick<JobRun, 'accountId' | 'type'>): JobRun {
    const run = this.jobRun(overrides);
    this.runner.accept(run);
    return run;
  }

  async close(): Promise<void> {
    await this.runner.drain(2000).catch(() => undefined);
    await this.browsers.close().catch(() => undefined);
    this.temp.remove();
  }
}
