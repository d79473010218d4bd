/**
 * One limit's count in memory: the start times inside its window (oldest first) and the jobs
 * under it now. Starts are only ever added at the newest end, so dropping those that left the
 * window is a walk from the front, and a check costs what it drops.
 */
export class LimitCounter {
  private starts: number[] = [];
  private head = 0;
  readonly active = new Set<string>();

  /** Counts a start at `at` (never before the latest one counted, except while rebuilding in order). */
  started(at: number): void {
    this.starts.push(at);
  }

  /**
   * How many starts fall inside the window that ends at `now` (`windowMs` long), and when the
   * oldest of them leaves it.
   */
  inWindow(now: number, windowMs: number): number {
    const from = now - windowMs;
    while (this.head < this.starts.length && this.starts[this.head]! < from) this.head += 1;
    // Compact now and then, so a long-lived counter does not grow with every start it ever saw.
    if (this.head > 64 && this.head * 2 > this.starts.length) {
      this.starts = this.starts.slice(this.head);
      this.head = 0;
    }
    return this.starts.length - this.head;
  }

  /**
   * With `count` starts in the window and a rate of `max`: when a start becomes allowed again
   * (the start that must leave the window has left it).
   */
  nextStartAt(count: number, max: number, windowMs: number): number {
    return this.starts[this.head + count - max]! + windowMs + 1;
  }
}
