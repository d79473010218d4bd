import { readFileSync, readdirSync } from 'node:fs';

/** A process seen in /proc: its pid and its arguments (argv[0] first). */
export interface ProcessArgs {
  pid: number;
  args: string[];
}

/** Every process but this one, with its arguments. Linux only (/proc); elsewhere none. */
export function listProcesses(): ProcessArgs[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const out: ProcessArgs[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmdline) out.push({ pid: Number(entry), args: cmdline.replace(/\0$/, '').split('\0') });
    } catch {
      // it ended while we looked
    }
  }
  return out;
}

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
 * pids. Synchronous, so it also works in an `exit` handler.
 */
export function killProcessesMentioning(marker: string): number[] {
  const killed: number[] = [];
  for (const { pid, args } of listProcesses()) {
    if (!args.join(' ').includes(marker)) continue;
    try {
      process.kill(pid, 'SIGKILL');
      killed.push(pid);
    } catch {
      // it ended meanwhile
    }
  }
  return killed;
}
