import { readFileSync } from 'node:fs';
import os from 'node:os';

/** Without a cgroup limit, the browsers may use this share of the host's memory. */
export const HOST_MEMORY_SHARE = 0.8;

function readNumber(file: string): number | undefined {
  try {
    const text = readFileSync(file, 'utf8').trim();
    return /^\d+$/.test(text) ? Number(text) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The memory limit of this process's cgroup (v2 `memory.max`, else v1 `memory.limit_in_bytes`),
 * when it is below the host's memory; otherwise a share of the host's memory. In MB.
 */
export function defaultMemoryLimitMb(): number {
  const host = os.totalmem();
  const cgroup = readNumber('/sys/fs/cgroup/memory.max') ?? readNumber('/sys/fs/cgroup/memory/memory.limit_in_bytes');
  const bytes = cgroup !== undefined && cgroup < host ? cgroup : host * HOST_MEMORY_SHARE;
  return Math.floor(bytes / (1024 * 1024));
}
