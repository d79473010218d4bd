/**
 * One limit's count in memory. A job counts from its start until `windowMs` after it ends: the
 * jobs running now, and the end times of those that ended since (oldest first). A platform sees a
 * job's requests anywhere between its start and its end, so counting it until a window after its
 * end keeps the platform's own log of any window within the rate, however long each job took.
 * Ends are only ever added at the newest end, so dropping those that left the window is a walk
 * from the front, and a check costs what it drops.
 */
export class LimitCounter {
  private ends: number[] = [];
  private head = 0;
  /** The jobs under the limit that are dispatched or running. */
  readonly active = new Set<string>();

  /** `windowMs`: the rate's window; without one (a concurrency cap alone) no end is kept. */
  constructor(private readonly windowMs?: number) {}

  started(jobId: string): void {
    this.active.add(jobId);
  }

  /** The job is no longer dispatched or running (it ended, or went back to the queue) at `at`. */
  ended(jobId: string, at: number): void {
    if (this.active.delete(jobId)) this.endedAt(at);
  }

  /** Counts a job that ended at `at` (in time order: as they end, or rebuilding from the store oldest first). */
  endedAt(at: number): void {
    if (this.windowMs === undefined) return;
    this.ends.push(at);
    this.drop(at - this.windowMs);
  }

  /** How many jobs count in the window that ends at `now`: those running, and those that ended inside it. */
  inWindow(now: number): number {
    if (this.windowMs !== undefined) this.drop(now - this.windowMs);
    return this.active.size + this.ends.length - this.head;
  }

  /**
   * With `count` jobs in the window and a rate of `max`: when one more may start (enough ended
   * jobs have left the window), or null when that waits for running jobs to end.
   */
  nextStartAt(count: number, max: number): number | null {
    const leaving = count - max + 1;
    if (this.windowMs === undefined || leaving > this.ends.length - this.head) return null;
    return this.ends[this.head + leaving - 1]! + this.windowMs + 1;
  }

  /** Forgets the ends before `from`, compacting now and then so a long-lived counter does not grow with every job it saw. */
  private drop(from: number): void {
    while (this.head < this.ends.length && this.ends[this.head]! < from) this.head += 1;
    if (this.head > 64 && this.head * 2 > this.ends.length) {
      this.ends = this.ends.slice(this.head);
      this.head = 0;
    }
  }
}
