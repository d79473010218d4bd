/** The memory a worker's browsers use against its limit, as heartbeats report it. */
export interface MemoryReading {
  limitBytes: number;
  /** PSS over the browsers' process trees. */
  usedBytes: number;
  /** At or above the high-water mark: idle contexts are being hibernated and new accounts should go elsewhere. */
  underPressure: boolean;
}

export interface MemoryGuardOptions {
  limitBytes: number;
  /** Share of the limit above which idle contexts are hibernated. */
  highWaterRatio: number;
  /** Measures what the browsers use now (bytes). */
  measure: () => number;
  /** A measurement younger than this is reused. */
  maxAgeMs: number;
}

/**
 * Keeps the last measurement of the browsers' memory and answers what the browser manager asks:
 * is it under pressure, and would one more context still fit under the limit.
 */
export class MemoryGuard {
  private used = 0;
  private measuredAt = 0;

  constructor(private readonly options: MemoryGuardOptions) {}

  /** Bytes in use, measured again when the last measurement is older than `maxAgeMs` (or `fresh`). */
  usedBytes(fresh = false): number {
    if (fresh || Date.now() - this.measuredAt >= this.options.maxAgeMs) {
      this.used = this.options.measure();
      this.measuredAt = Date.now();
    }
    return this.used;
  }

  get limitBytes(): number {
    return this.options.limitBytes;
  }

  get highWaterBytes(): number {
    return this.options.limitBytes * this.options.highWaterRatio;
  }

  underPressure(fresh = false): boolean {
    return this.usedBytes(fresh) >= this.highWaterBytes;
  }

  /** Whether `contexts` more, `perContextBytes` each, stay under the limit. */
  hasRoomFor(contexts: number, perContextBytes: number): boolean {
    return this.usedBytes() + contexts * perContextBytes <= this.options.limitBytes;
  }

  reading(): MemoryReading {
    const usedBytes = this.usedBytes();
    return { limitBytes: this.options.limitBytes, usedBytes, underPressure: usedBytes >= this.highWaterBytes };
  }
}
