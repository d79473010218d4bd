import { FleetError, type WorkerHumanNeeded } from '@fleetwright/shared';

/** A job's request for a person while it waits, as it was reported, and when it stops waiting. */
export interface PendingAsk {
  asked: WorkerHumanNeeded;
  expiresAt: number;
}

/**
 * Whether a person holds an account's session. While one does, the account's job waits at its
 * next ctx call; a job that asked for a person (`askHuman`) goes on when they hand back.
 */
export class HumanGate {
  private held = false;
  /** Claims so far: an attempt compares it to know whether a person held its page. */
  private claimCount = 0;
  private readonly onRelease = new Set<() => void>();
  private pending: PendingAsk | undefined;

  get isHeld(): boolean {
    return this.held;
  }

  get claims(): number {
    return this.claimCount;
  }

  /** The request of the job that waits for a person now, if one does. */
  get waiting(): PendingAsk | undefined {
    return this.pending;
  }

  claim(): void {
    if (this.held) return;
    this.held = true;
    this.claimCount += 1;
  }

  /** "Done": the person hands back; everything waiting on the gate goes on. */
  release(): void {
    if (!this.held) return;
    this.held = false;
    const waiting = [...this.onRelease];
    this.onRelease.clear();
    for (const resume of waiting) resume();
  }

  /** Resolves at once when nobody holds the session, else when they hand back; rejects when `signal` fires. */
  whenFree(signal: AbortSignal): Promise<void> {
    if (!this.held) return Promise.resolve();
    return this.nextRelease(signal, undefined);
  }

  /**
   * Waits for a person to take over and hand back (a release after this call). When nobody holds
   * the session after `timeoutMs`, it rejects with HUMAN_TIMEOUT naming `reason`. Rejects with the signal's reason on cancel.
   * `asked` (the report the master got) is kept while it waits, for a restarted master to learn again.
   */
  waitForHandBack(signal: AbortSignal, timeoutMs: number, reason: string, asked?: WorkerHumanNeeded): Promise<void> {
    const pending = asked ? { asked, expiresAt: Date.now() + timeoutMs } : undefined;
    this.pending = pending;
    return this.nextRelease(signal, { timeoutMs, reason }).finally(() => {
      if (this.pending === pending) this.pending = undefined;
    });
  }

  private nextRelease(signal: AbortSignal, deadline: { timeoutMs: number; reason: string } | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal.aborted) {
        reject(signal.reason as Error);
        return;
      }
      let timer: NodeJS.Timeout | undefined;
      const settle = (): void => {
        clearTimeout(timer);
        this.onRelease.delete(resume);
        signal.removeEventListener('abort', aborted);
      };
      const resume = (): void => {
        settle();
        resolve();
      };
      const aborted = (): void => {
        settle();
        reject(signal.reason as Error);
      };
      this.onRelease.add(resume);
      signal.addEventListener('abort', aborted, { once: true });
      if (deadline) {
        timer = setTimeout(() => {
          // A person at work when the time is up is let finish: their Done resumes the job.
          if (this.held) return;
          settle();
          reject(new FleetError('HUMAN_TIMEOUT', `nobody took over within ${deadline.timeoutMs} ms: ${deadline.reason}`));
        }, deadline.timeoutMs);
        timer.unref();
      }
    });
  }
}
