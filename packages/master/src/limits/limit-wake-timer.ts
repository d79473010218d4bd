/**
 * One timer for the ends of holds and pauses: set for the soonest end pending, it calls `wake` then
 * and sets itself for the next. Never a loop: nothing runs between two ends.
 */
export class LimitWakeTimer {
  private readonly ends = new Set<number>();
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Number.POSITIVE_INFINITY;

  constructor(private readonly wake: () => void) {}

  /** `wake` is due at `at` (ms since the epoch). */
  at(at: number): void {
    this.ends.add(at);
    if (at < this.timerAt) this.arm(at);
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
    this.ends.clear();
  }

  private soonest(): number {
    let soonest = Number.POSITIVE_INFINITY;
    for (const at of this.ends) if (at < soonest) soonest = at;
    return soonest;
  }

  private arm(at: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = at;
    if (at === Number.POSITIVE_INFINITY) return;
    this.timer = setTimeout(
      () => {
        const now = Date.now();
        for (const end of this.ends) if (end <= now) this.ends.delete(end);
        this.wake();
        this.arm(this.soonest());
      },
      Math.max(0, at - Date.now()),
    );
    this.timer.unref();
  }
}
