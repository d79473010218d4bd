import { readFileSync, readdirSync } from 'node:fs';

/** SIGKILLs every process left in the group `pgid` (a detached child's pid); none left is fine. */
export function killProcessGroup(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // the group has no process left
  }
}

/**
 * SIGKILLs every process (but this one) whose command line contains `marker`, and returns their
 * pids. Synchronous, so it also works in an `exit` handler. Linux only (/proc); elsewhere a no-op.
 */
export function killProcessesMentioning(marker: string): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const killed: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (!readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(marker)) continue;
      process.kill(Number(entry), 'SIGKILL');
      killed.push(Number(entry));
    } catch {
      // it ended while we looked
    }
  }
  return killed;
}
