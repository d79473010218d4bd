import type { WorkerStats } from '@fleetwright/shared';

/**
 * Whether a worker's last heartbeat said its browsers are at or above its memory high-water mark:
 * it is hibernating idle contexts then, and a new account would only add to it, so it gets none
 * until the pressure is gone. A worker that does not report memory is never under pressure.
 * Takes the stats as stored (JSON text) or as a record.
 */
export function underMemoryPressure(stats: string | WorkerStats | null | undefined): boolean {
  if (!stats) return false;
  if (typeof stats !== 'string') return stats.memory?.underPressure === true;
  try {
    return (JSON.parse(stats) as Partial<WorkerStats>).memory?.underPressure === true;
  } catch {
    return false;
  }
}
