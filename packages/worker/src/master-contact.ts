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
  /** Raised with the heartbeat interval: silence shorter than two heartbeats is not a loss. */
  private floorMs = 0;

  constructor(
    private readonly limitMs: number,
    private readonly onLost: (silentMs: number) => void,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => this.check(), Math.max(50, Math.min(1000, Math.floor(this.limitMs / 4))));
    this.timer.unref();
  }

  /** The master's heartbeat interval (from the registration): never call a loss before two are missed. */
  heartbeatEvery(intervalMs: number): void {
    this.floorMs = 2 * intervalMs + 1000;
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
    if (this.lost || silentMs <= Math.max(this.limitMs, this.floorMs)) return;
    this.lost = true;
    this.onLost(silentMs);
  }

  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
