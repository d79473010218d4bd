/** The numbers a {@link RestartPolicy} works with (see `ChildSupervisorOptions` for each). */
export interface RestartPolicyOptions {
  maxRestarts: number;
  restartWindowMs: number;
  initialDelayMs: number;
  maxDelayMs: number;
  stableAfterMs: number;
}

/**
 * When one child is restarted, as PM2's exponential backoff does it: the first restart after
 * `initialDelayMs`, each next one after twice the last (up to `maxDelayMs`), back to the first
 * delay once the child has run `stableAfterMs`. More than `maxRestarts` restarts within
 * `restartWindowMs` is a crash loop, and the child is given up on.
 */
export class RestartPolicy {
  private readonly restartedAt: number[] = [];
  private nextDelayMs: number;

  constructor(private readonly options: RestartPolicyOptions) {
    this.nextDelayMs = options.initialDelayMs;
  }

  /** The delay before restarting a child that exited at `now` after running `uptimeMs`, or undefined to give up. */
  onExit(now: number, uptimeMs: number): number | undefined {
    if (uptimeMs >= this.options.stableAfterMs) this.nextDelayMs = this.options.initialDelayMs;
    while (this.restartedAt.length > 0 && this.restartedAt[0]! <= now - this.options.restartWindowMs) this.restartedAt.shift();
    if (this.restartedAt.length >= this.options.maxRestarts) return undefined;
    this.restartedAt.push(now);
    const delay = this.nextDelayMs;
    this.nextDelayMs = Math.min(delay * 2, this.options.maxDelayMs);
    return delay;
  }

  /** Restarts counted in the current window. */
  get recentRestarts(): number {
    return this.restartedAt.length;
  }
}
