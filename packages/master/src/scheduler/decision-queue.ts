import type { Logger } from '@fleetwright/shared';
import type { FleetBackend } from '../store/backend/fleet-backend.js';

interface Queued {
  decide: () => Promise<unknown>;
  alone: boolean;
  last: boolean;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** Decisions written in one commit at most. */
const MAX_PER_COMMIT = 256;
/**
 * No decision joins a batch that has run this long: on PostgreSQL a batch holds the leader lease's
 * row (its fence) until it commits, and the lease's renewal waits behind it.
 */
const MAX_BATCH_MS = 500;
/** A batch that holds the queue longer than this is logged: every report and command waits behind it. */
const SLOW_BATCH_MS = 1000;

/**
 * The master's single writer. Every decision that changes the fleet (a pass, a worker's report, a
 * command) runs here, one after another, so two never interleave however the backend answers.
 * Under load the master receives hundreds of reports a second, and a commit per report cost a
 * fifth of its CPU: the decisions queued together share one transaction, each in a savepoint of
 * its own, so one that throws is undone alone and its caller gets the error. Callers hear the
 * outcome after the commit, and what a decision announces waits for it too (the backend's
 * `afterCommit`), so nothing is sent for a write that did not land.
 *
 * A decision awaits only the backend: never a worker, a timer or another decision (queueing one
 * is fine), since the whole queue waits for it.
 */
export class DecisionQueue {
  private queue: Queued[] = [];
  private draining = false;
  private closed = false;
  /** Decisions queued so far, and how many of them are decided: they are decided in the order queued. */
  private queuedCount = 0;
  private decidedCount = 0;
  private readonly waitingForDecided: { upTo: number; resolve: () => void }[] = [];

  /**
   * `fence`: run first in each batch's transaction; when it throws (this master no longer leads, see
   * Leadership) the whole batch is refused with its error and writes nothing.
   */
  constructor(
    private readonly backend: Pick<FleetBackend, 'transaction'>,
    private readonly logger: Logger,
    private readonly fence?: () => Promise<void>,
  ) {}

  /**
   * Queues `decide`. `alone`: it runs in a transaction of its own rather than in a savepoint of a
   * shared one, for decisions that write much (a bulk create): SQLite copies every page a
   * savepoint's writes touch into its statement journal, which cost such a decision about half
   * again its own writes (docs/PERFORMANCE.md, session 9). `last`: its batch commits right after
   * it, for a decision whose outcome others wait on (a pass: its workers hear of their jobs once
   * it commits); it still shares the commit of the decisions before it.
   */
  run<T>(decide: () => Promise<T>, { alone = false, last = false }: { alone?: boolean; last?: boolean } = {}): Promise<T> {
    if (this.closed) return Promise.reject(new Error('the master is closing; no more decisions'));
    this.queuedCount += 1;
    return new Promise<T>((resolve, reject) => {
      this.queue.push({
        decide,
        alone,
        last,
        resolve: (value) => this.decided(() => resolve(value as T)),
        reject: (error) => this.decided(() => reject(error)),
      });
      if (this.draining) return;
      this.draining = true;
      // A turn's decisions gather first, to share the commit.
      setImmediate(() => void this.drain());
    });
  }

  /** How many decisions have been queued so far: the position of the last one queued. */
  get queued(): number {
    return this.queuedCount;
  }

  /**
   * Resolves once every decision queued before the call is decided, committed or refused, and
   * what each announced has been sent (a commit sends before its decisions are told).
   */
  settled(): Promise<void> {
    const upTo = this.queuedCount;
    if (this.decidedCount >= upTo) return Promise.resolve();
    return new Promise((resolve) => this.waitingForDecided.push({ upTo, resolve }));
  }

  /** Refuses new decisions; resolves once those queued are done. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.draining) await new Promise((resolve) => setImmediate(resolve));
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      if (this.queue[0]!.alone) {
        await this.runAlone(this.queue.shift()!);
        continue;
      }
      const taken: Queued[] = [];
      const started = performance.now();
      const outcomes: { ok: boolean; value: unknown }[] = [];
      try {
        await this.backend.transaction(async () => {
          await this.fence?.();
          // A decision queued while the batch runs (the pass a report asked for) joins it.
          while (taken.length < MAX_PER_COMMIT && this.queue.length > 0 && !this.queue[0]!.alone && performance.now() - started < MAX_BATCH_MS) {
            const next = this.queue.shift()!;
            taken.push(next);
            try {
              outcomes.push({ ok: true, value: await this.backend.transaction(next.decide) });
            } catch (error) {
              outcomes.push({ ok: false, value: error });
            }
            if (next.last) break;
          }
        });
      } catch (error) {
        // The fence or the commit failed: none of these decisions landed. A fence that failed
        // before any ran refuses the batch they would have formed.
        const refused = taken.length > 0 ? taken : this.queue.splice(0, MAX_PER_COMMIT);
        if ((error as { code?: unknown })?.code === 'NOT_LEADER')
          this.logger.debug('decisions refused: this master does not lead', { decisions: refused.length });
        else this.logger.error('a batch of decisions could not be committed', { error, decisions: refused.length });
        for (const { reject } of refused) reject(error);
        continue;
      }
      const tookMs = performance.now() - started;
      if (tookMs > SLOW_BATCH_MS) this.logger.warn('a batch of decisions held the queue', { decisions: taken.length, tookMs: Math.round(tookMs) });
      taken.forEach(({ resolve, reject }, i) => {
        const outcome = outcomes[i]!;
        if (outcome.ok) resolve(outcome.value);
        else reject(outcome.value);
      });
    }
    this.draining = false;
  }

  private decided(tell: () => void): void {
    this.decidedCount += 1;
    tell();
    while (this.waitingForDecided.length > 0 && this.waitingForDecided[0]!.upTo <= this.decidedCount) this.waitingForDecided.shift()!.resolve();
  }

  /** A decision in a transaction of its own: undone with it, so it needs no savepoint. */
  private async runAlone({ decide, resolve, reject }: Queued): Promise<void> {
    const started = performance.now();
    try {
      const value = await this.backend.transaction(async () => {
        await this.fence?.();
        return decide();
      });
      resolve(value);
    } catch (error) {
      if ((error as { code?: unknown })?.code === 'NOT_LEADER') this.logger.debug('decision refused: this master does not lead');
      reject(error);
    }
    const tookMs = performance.now() - started;
    if (tookMs > SLOW_BATCH_MS) this.logger.warn('a decision held the queue', { decisions: 1, tookMs: Math.round(tookMs) });
  }
}
