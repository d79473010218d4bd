import { FleetError } from '@fleetwright/shared';
import type { AccountContext } from './account-context.js';
import type { MemoryGuard } from './memory-guard.js';

/** What the slots see of the browser manager, and the one thing they may ask of it. */
export interface LaunchSlotsTarget {
  /** Contexts live now. */
  liveCount(): number;
  /** The least recently used idle live context, if any. */
  leastRecentlyUsedIdle(): AccountContext | undefined;
  /** Snapshots and closes the account's context; it leaves the live ones at once. */
  hibernate(accountId: string): Promise<void>;
  /** The manager is closing: no launch waits any more. */
  closing(): boolean;
}

export interface LaunchSlotsOptions {
  maxLiveContexts: number;
  memoryLimitMb: number;
  /** How long a launch may wait for memory before it fails with `NO_CAPACITY`. */
  memoryWaitMs: number;
  memory: MemoryGuard;
  /** What one more context is expected to take. */
  perContextBytes: () => number;
}

/**
 * Room for launches under the live cap and the memory limit. Launches in flight count: a slot is
 * taken before the launch starts and given back once it is live or has failed.
 */
export class LaunchSlots {
  /** Launches that reserved a slot and are not live yet. */
  private launching = 0;

  constructor(
    private readonly target: LaunchSlotsTarget,
    private readonly options: LaunchSlotsOptions,
  ) {}

  /**
   * Hibernates least recently used idle contexts until one more launch fits under the cap and the
   * memory limit, then takes a slot. Answers the closes it started: the launch runs while they
   * finish, so a job on a hibernated account waits for the longer of the two, not their sum.
   * `signal` cancels a wait for memory.
   */
  async reserve(signal?: AbortSignal): Promise<Promise<void>[]> {
    const { maxLiveContexts, memory, memoryWaitMs, memoryLimitMb } = this.options;
    const evictions: Promise<void>[] = [];
    let memoryDeadline: number | undefined;
    // Launches wait their turn: seen in bench:browser, a burst of 30 assignments opened 30
    // browsers under a cap of 5 when launches in flight could neither be evicted nor counted.
    // The check and the reservation happen in one synchronous step, so launches cannot race.
    for (;;) {
      const live = this.target.liveCount();
      const underCap = live + this.launching < maxLiveContexts;
      // With nothing open or opening there is nothing to make room with: the first one always goes.
      const nothingOpen = live + this.launching === 0;
      const fits = nothingOpen || memory.hasRoomFor(this.launching + 1, this.options.perContextBytes());
      if (underCap && fits) {
        this.launching += 1;
        return evictions;
      }
      if (underCap && evictions.length > 0) {
        // The memory of the contexts being closed is not free yet: measure once they are gone.
        await Promise.allSettled(evictions.splice(0));
        memory.usedBytes(true);
        continue;
      }
      const idle = this.target.leastRecentlyUsedIdle();
      if (idle) {
        // It leaves the live ones at once; its close goes on beside the launch.
        evictions.push(this.target.hibernate(idle.accountId));
        continue;
      }
      if (this.target.closing()) throw new FleetError('BROWSER_CRASHED', 'the browser manager is closing');
      if (underCap) {
        // Every context is busy and memory is short: wait for room, but not forever.
        memoryDeadline ??= Date.now() + memoryWaitMs;
        signal?.throwIfAborted();
        if (Date.now() >= memoryDeadline)
          throw new FleetError(
            'NO_CAPACITY',
            `no memory for another browser context within ${memoryWaitMs} ms (limit ${memoryLimitMb} MB, every context busy)`,
          );
      }
      // Every context is busy with a job: wait for one to finish rather than exceed the cap.
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  /** The launch that reserved a slot is live now, or failed: its slot counts no more. */
  release(): void {
    this.launching -= 1;
    this.options.memory.usedBytes(true); // the new context counts from now on
  }
}
