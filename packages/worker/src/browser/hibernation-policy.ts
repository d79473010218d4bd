import type { Logger } from '@fleetwright/shared';
import type { AccountContext } from './account-context.js';
import { MEMORY_HIGH_WATER, type BrowserMode } from './browser-manager-options.js';
import { MemoryGuard } from './memory-guard.js';
import { ProcessTreeMemoryMeter } from './process-memory.js';

/** How often the browsers' PSS is read in full; in between it is estimated from their RSS. */
const PSS_EVERY_MS = 30_000;

/** What the policy sees of the browser manager, and the one thing it may ask of it. */
export interface HibernationTarget {
  /** The live contexts, in no particular order. */
  live(): Iterable<AccountContext>;
  /** Snapshots and closes the account's context (it reopens from that state on next use). */
  hibernate(accountId: string): Promise<void>;
  /** The manager is closing: hibernate nothing more. */
  closing(): boolean;
}

export interface HibernationPolicyOptions {
  browserMode: BrowserMode;
  memoryLimitMb: number;
  memoryCheckMs: number;
  /** 0: never by idleness. */
  contextIdleMs: number;
  logger: Logger;
}

/**
 * When idle contexts are hibernated besides the live cap: above the memory high-water mark
 * (least recently used first, until below it) and after `contextIdleMs` without use. It measures
 * the browsers' memory, which the manager also asks before a launch.
 */
export class HibernationPolicy {
  readonly memory: MemoryGuard;
  private relieving: Promise<void> | undefined;
  private memoryCheck: NodeJS.Timeout | undefined;
  private idleSweep: NodeJS.Timeout | undefined;

  constructor(
    private readonly target: HibernationTarget,
    private readonly options: HibernationPolicyOptions,
  ) {
    const meter = new ProcessTreeMemoryMeter(PSS_EVERY_MS);
    this.memory = new MemoryGuard({
      limitBytes: options.memoryLimitMb * 1024 * 1024,
      highWaterRatio: MEMORY_HIGH_WATER,
      measure: () => meter.pssBytes(this.browserPids()),
      maxAgeMs: 500,
    });
  }

  /** Starts the periodic memory check and idle sweep. Idempotent. */
  start(): void {
    if (this.memoryCheck) return;
    this.memoryCheck = setInterval(() => void this.relieveMemoryPressure().catch(() => undefined), this.options.memoryCheckMs);
    this.memoryCheck.unref();
    const idleMs = this.options.contextIdleMs;
    if (idleMs <= 0) return;
    // A few checks per idle period: a context goes at most a quarter period late.
    this.idleSweep = setInterval(() => void this.hibernateIdle(idleMs), Math.min(30_000, Math.max(50, Math.floor(idleMs / 4))));
    this.idleSweep.unref();
  }

  stop(): void {
    clearInterval(this.memoryCheck);
    clearInterval(this.idleSweep);
  }

  private browserPids(): Set<number> {
    const pids = new Set<number>();
    for (const live of this.target.live()) if (live.launched.browserPid !== undefined) pids.add(live.launched.browserPid);
    return pids;
  }

  /** What one more context is likely to cost: the average of the live ones, or a first guess. */
  perContextBytes(): number {
    const live = [...this.target.live()].length;
    if (live > 0) return this.memory.usedBytes() / live;
    return (this.options.browserMode === 'shared' ? 50 : 150) * 1024 * 1024;
  }

  leastRecentlyUsedIdle(): AccountContext | undefined {
    return [...this.target.live()].filter((l) => l.idle).sort((a, b) => a.lastUsedAt - b.lastUsedAt)[0];
  }

  /**
   * Above the high-water mark: closes the pages kept ready for next jobs first (the cheapest to
   * give back), then hibernates least recently used idle contexts until below it.
   */
  relieveMemoryPressure(): Promise<void> {
    this.relieving ??= (async () => {
      try {
        if (!this.target.closing() && this.memory.underPressure(true)) {
          const dropped = (await Promise.all([...this.target.live()].map((live) => live.dropSparePage()))).filter(Boolean).length;
          if (dropped > 0) this.options.logger.info('closed the pages kept ready for next jobs under memory pressure', { pages: dropped });
        }
        while (!this.target.closing() && this.memory.underPressure(true)) {
          const idle = this.leastRecentlyUsedIdle();
          if (!idle) return;
          this.options.logger.info('hibernating a context under memory pressure', {
            accountId: idle.accountId,
            usedMb: Math.round(this.memory.usedBytes() / 1048576),
            limitMb: this.options.memoryLimitMb,
          });
          await this.target.hibernate(idle.accountId);
        }
      } finally {
        this.relieving = undefined;
      }
    })();
    return this.relieving;
  }

  private async hibernateIdle(idleMs: number): Promise<void> {
    const before = Date.now() - idleMs;
    for (const live of [...this.target.live()]) {
      if (this.target.closing() || !live.idle || live.lastUsedAt > before) continue;
      this.options.logger.info('hibernating an idle browser context', { accountId: live.accountId, idleMs: Date.now() - live.lastUsedAt });
      await this.target.hibernate(live.accountId).catch(() => undefined);
    }
  }
}
