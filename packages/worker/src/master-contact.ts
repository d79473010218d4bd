/**
 * How long ago the master last answered this worker (a registration or a heartbeat it
 * acknowledged). Past `limitMs` of silence `onLost` runs, once, until the master answers again.
 * Silence, not the socket's state, is what counts: a partition can leave a socket looking
 * connected until its ping times out.
 */
export class MasterContact {
  private lastAnswerAt = Date.now();
  private lost = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly limitMs: number,
    private readonly onLost: (silentMs: number) => void,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => this.check(), Math.max(50, Math.min(1000, Math.floor(this.limitMs / 4))));
    this.timer.unref();
  }

  /** The master acknowledged something just now. */
  answered(): void {
    this.lastAnswerAt = Date.now();
    this.lost = false;
  }

  get isLost(): boolean {
    return this.lost;
  }

  private check(): void {
    const silentMs = Date.now() - this.lastAnswerAt;
    if (this.lost || silentMs <= this.limitMs) return;
    this.lost = true;
    this.onLost(silentMs);
  }

  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
