/**
 * What a view holds while it is on screen: subscriptions and timers. Navigating away disposes the
 * scope, so nothing keeps running for a view nobody sees, and late answers are dropped.
 */
export class Scope {
  private readonly cleanups: (() => void)[] = [];
  private done = false;

  get disposed(): boolean {
    return this.done;
  }

  /** Runs `cleanup` at dispose (at once when already disposed). */
  add(cleanup: () => void): void {
    if (this.done) cleanup();
    else this.cleanups.push(cleanup);
  }

  every(ms: number, fn: () => void): void {
    const timer = setInterval(fn, ms);
    this.add(() => clearInterval(timer));
  }

  /**
   * A function that runs `fn` at most once per `ms`: at once when idle, then once more at the end
   * of the interval if called meanwhile. Bursts of live events become one or two reloads.
   */
  throttle(ms: number, fn: () => void): () => void {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let pending = false;
    this.add(() => clearTimeout(timer));
    const cool = (): void => {
      timer = setTimeout(() => {
        timer = undefined;
        if (pending && !this.done) {
          pending = false;
          fn();
          cool();
        }
      }, ms);
    };
    return () => {
      if (this.done) return;
      if (timer !== undefined) {
        pending = true;
        return;
      }
      fn();
      cool();
    };
  }

  dispose(): void {
    if (this.done) return;
    this.done = true;
    for (const cleanup of this.cleanups.splice(0).reverse()) {
      try {
        cleanup();
      } catch {
        // One failed cleanup must not keep the others from running.
      }
    }
  }
}
