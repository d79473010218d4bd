import type { WorkerStats } from '@fleetwright/shared';

/** A worker's newest heartbeat, as written: its stats and when it arrived. */
export interface Heartbeat {
  id: string;
  stats: WorkerStats;
  at: number;
}

interface Pending<R> extends Heartbeat {
  waiting: { resolve: (answer: R | undefined) => void; reject: (error: unknown) => void }[];
}

/**
 * Gathers the heartbeats that arrive within `delayMs` and writes them together. A thousand workers
 * beat a hundred times a second; written one by one, each was a decision batch of its own (a
 * transaction, its fence and its commit on PostgreSQL) and a third of what holding the fleet cost
 * the leader. A heartbeat's sender hears back once its beat is written, as before, just later by at
 * most `delayMs`; a worker that beats twice meanwhile is written once, with its newer stats. The
 * write answers what it read for each worker (by id), and each of its beats hears that.
 */
export class HeartbeatBatch<R = void> {
  private readonly pending = new Map<string, Pending<R>>();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly write: (beats: Heartbeat[]) => Promise<Map<string, R> | void>,
    private readonly delayMs: number,
  ) {}

  /** Resolves once the heartbeat is written, with what the write answered for its worker; rejects with the write's error. */
  add(id: string, stats: WorkerStats): Promise<R | undefined> {
    if (this.closed) return Promise.reject(new Error('the master is closing; no more heartbeats'));
    return new Promise((resolve, reject) => {
      const pending = this.pending.get(id);
      if (pending) Object.assign(pending, { stats, at: Date.now() }).waiting.push({ resolve, reject });
      else this.pending.set(id, { id, stats, at: Date.now(), waiting: [{ resolve, reject }] });
      this.timer ??= setTimeout(() => void this.flush(), this.delayMs);
    });
  }

  /** Writes what is pending now, and takes no more. */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
  }

  private async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.size === 0) return;
    const beats = [...this.pending.values()];
    this.pending.clear();
    try {
      const answers = await this.write(beats.map(({ id, stats, at }) => ({ id, stats, at })));
      for (const beat of beats) for (const { resolve } of beat.waiting) resolve(answers?.get(beat.id));
    } catch (error) {
      for (const beat of beats) for (const { reject } of beat.waiting) reject(error);
    }
  }
}
