import { readFileSync, readdirSync } from 'node:fs';

/** Pids of processes whose command line contains `needle` (e.g. a test's temp dir). */
export function processesMentioning(needle: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmdline.includes(needle)) pids.push(Number(entry));
    } catch {
      // ended while we looked
    }
  }
  return pids;
}
