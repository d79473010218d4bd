import { spawn, type ChildProcess } from 'node:child_process';
import type { ChildSpec, ChildSupervisorOptions } from './child-supervisor-options.js';
import { killProcessGroup, killProcessesMentioning } from './process-reaper.js';
import { RestartPolicy } from './restart-policy.js';
import { WATCH_PARAMS } from './watch-params.js';

/** One child under supervision: its spec, the process running it now, and its restart history. */
interface Supervised {
  spec: ChildSpec;
  policy: RestartPolicy;
  process?: ChildProcess;
  startedAt: number;
  restarts: number;
  restartTimer?: NodeJS.Timeout;
  exited?: Promise<void>;
}

/**
 * Runs Node.js children and keeps them running, the way PM2 does for the embedded default: a child
 * that exits on its own (a crash, a SIGKILL, the OOM killer) is restarted with exponential backoff
 * while the others keep running; a crash loop is reported and given up on.
 *
 * Each child runs in a process group of its own, and whenever one exits its whole group is
 * SIGKILLed, with every process that carries its `ownedMarker`: nothing it started outlives it.
 * The children watch this process (see `parent-watch.ts`) and stop themselves if it dies.
 */
export class ChildSupervisor {
  private readonly children = new Map<string, Supervised>();
  private readonly options: Required<ChildSupervisorOptions>;
  private closing?: Promise<void>;

  constructor(options: ChildSupervisorOptions = {}) {
    this.options = {
      maxRestarts: options.maxRestarts ?? 5,
      restartWindowMs: options.restartWindowMs ?? 120_000,
      initialDelayMs: options.initialDelayMs ?? 1_000,
      maxDelayMs: options.maxDelayMs ?? 30_000,
      stableAfterMs: options.stableAfterMs ?? 30_000,
      stopTimeoutMs: options.stopTimeoutMs ?? 40_000,
      report: options.report ?? ((line) => process.stdout.write(`${line}\n`)),
    };
  }

  /** Starts `spec` and keeps it running until close(). */
  start(spec: ChildSpec): void {
    if (this.closing) throw new Error(`the supervisor is closed; ${spec.name} was not started`);
    if (this.children.has(spec.name)) throw new Error(`a child named ${spec.name} is supervised already`);
    const child: Supervised = { spec, policy: new RestartPolicy(this.options), startedAt: 0, restarts: 0 };
    this.children.set(spec.name, child);
    this.spawn(child);
  }

  /** The pid of the running process for `name`, if one runs. */
  pidOf(name: string): number | undefined {
    const running = this.children.get(name)?.process;
    return running && running.exitCode === null && running.signalCode === null ? running.pid : undefined;
  }

  /**
   * Stops every child, tier by tier (see `ChildSpec.stopTier`): SIGTERM, then its process group
   * SIGKILLed after `stopTimeoutMs`. Pending restarts are dropped at once. Idempotent: returns the
   * same promise every time; never rejects.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      const children = [...this.children.values()];
      for (const child of children) this.cancelRestart(child);
      const tiers = [...new Set(children.map(tierOf))].sort((a, b) => b - a);
      for (const tier of tiers) await Promise.all(children.filter((child) => tierOf(child) === tier).map((child) => this.stop(child)));
    })();
    return this.closing;
  }

  private spawn(child: Supervised): void {
    const { spec } = child;
    // A file: URL, as `--import` takes it; URL-encoded, the marker does not show in the child's command line.
    const watch = new URL('./parent-watch.js', import.meta.url);
    watch.searchParams.set(WATCH_PARAMS.stopTimeoutMs, String(this.options.stopTimeoutMs));
    watch.searchParams.set(WATCH_PARAMS.supervisor, String(process.pid));
    watch.searchParams.set(WATCH_PARAMS.stopTier, String(tierOf(child)));
    if (spec.ownedMarker) watch.searchParams.set(WATCH_PARAMS.marker, spec.ownedMarker);
    // detached: a group of its own, so the whole group can be killed when the child ends, and a
    // terminal's Ctrl-C reaches only this process, which stops the children in order.
    const proc = spawn(process.execPath, ['--import', watch.href, ...spec.args], { env: spec.env, stdio: ['ignore', 'inherit', 'inherit'], detached: true });
    child.process = proc;
    child.startedAt = Date.now();
    child.exited = new Promise((resolve) => {
      let ended = false;
      const onEnd = (code: number | null, signal: NodeJS.Signals | null): void => {
        if (ended) return;
        ended = true;
        this.reap(child, proc);
        resolve();
        this.onExit(child, proc, code, signal);
      };
      proc.once('exit', onEnd);
      // A child that could not be started at all gets no 'exit'.
      proc.on('error', (error) => {
        if (proc.pid !== undefined) return;
        this.options.report(`${spec.name} could not be started: ${error.message}`);
        onEnd(null, null);
      });
    });
  }

  /** Whatever the child started dies with it: its process group, and what carries its marker. */
  private reap(child: Supervised, proc: ChildProcess): void {
    if (proc.pid !== undefined) killProcessGroup(proc.pid);
    if (!child.spec.ownedMarker) return;
    const left = killProcessesMentioning(child.spec.ownedMarker);
    if (left.length > 0) this.options.report(`${child.spec.name}: killed ${left.length} process(es) it left behind (pids ${left.join(', ')})`);
  }

  private onExit(child: Supervised, proc: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.closing) return;
    const { name } = child.spec;
    const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
    const delay = child.policy.onExit(Date.now(), Date.now() - child.startedAt);
    if (delay === undefined) {
      const seconds = Math.round(this.options.restartWindowMs / 1000);
      this.options.report(
        `${name} (pid ${proc.pid}) ${how}: restarted ${child.policy.recentRestarts} times within ${seconds} s, a crash loop; not restarting it (the rest keep running; see its log)`,
      );
      return;
    }
    child.restarts += 1;
    this.options.report(`${name} (pid ${proc.pid}) ${how}; restarting it in ${formatDelay(delay)} (restart ${child.restarts})`);
    child.restartTimer = setTimeout(() => {
      child.restartTimer = undefined;
      if (this.closing) return;
      this.spawn(child);
      this.options.report(`${name} restarted (pid ${child.process?.pid})`);
    }, delay);
  }

  private cancelRestart(child: Supervised): void {
    if (child.restartTimer) clearTimeout(child.restartTimer);
    child.restartTimer = undefined;
  }

  private async stop(child: Supervised): Promise<void> {
    const proc = child.process;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return child.exited;
    const deadline = setTimeout(() => proc.pid !== undefined && killProcessGroup(proc.pid), this.options.stopTimeoutMs);
    deadline.unref();
    try {
      proc.kill('SIGTERM');
    } catch {
      // it ended meanwhile
    }
    await child.exited;
    clearTimeout(deadline);
  }
}

function tierOf(child: Supervised): number {
  return child.spec.stopTier ?? 0;
}

function formatDelay(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
