import { readFileSync, readdirSync } from 'node:fs';

/** Each process's parent, from /proc (empty where there is no /proc). */
function parentsByPid(): Map<number, number[]> {
  const children = new Map<number, number[]>();
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return children;
  }
  for (const entry of entries) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields start after the parenthesised command name (which may hold spaces): state ppid ...
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid);
      if (list) list.push(Number(entry));
      else children.set(ppid, [Number(entry)]);
    } catch {
      // ended while we looked
    }
  }
  return children;
}

/** A process's proportional set size: its private memory plus its share of what it shares (bytes). */
export function pssBytesOf(pid: number): number {
  try {
    const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const kb = /^Pss:\s+(\d+) kB/m.exec(rollup)?.[1];
    return kb ? Number(kb) * 1024 : 0;
  } catch {
    return 0; // ended while we looked, or not ours to read
  }
}

/** Every pid in the process trees of `roots` (each browser and its renderers, GPU and utility processes). */
export function processTree(roots: Iterable<number>): number[] {
  const children = parentsByPid();
  const seen = new Set<number>();
  const stack = [...roots];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    if (seen.has(pid)) continue;
    seen.add(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return [...seen];
}

/** A process's resident set size (bytes), from /proc/<pid>/statm: cheap, but counts shared pages in full. */
function rssBytesOf(pid: number): number {
  try {
    return Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]) * 4096;
  } catch {
    return 0;
  }
}

/**
 * PSS summed over the process trees of `roots`. PSS, not RSS: Chromium's processes share most of
 * their pages, and RSS counts those once per process.
 */
export function processTreePssBytes(roots: Iterable<number>): number {
  let total = 0;
  for (const pid of processTree(roots)) total += pssBytesOf(pid);
  return total;
}

/**
 * The PSS of process trees, read cheaply often: reading smaps_rollup costs milliseconds per
 * Chromium process (its address space is huge), so PSS is read every `calibrateEveryMs` and in
 * between the trees' RSS (one small read per process) is scaled by the PSS/RSS ratio of the last
 * PSS reading.
 */
export class ProcessTreeMemoryMeter {
  private ratio = 1;
  private calibratedAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly calibrateEveryMs: number) {}

  pssBytes(roots: Iterable<number>): number {
    const pids = processTree(roots);
    let rss = 0;
    for (const pid of pids) rss += rssBytesOf(pid);
    if (Date.now() - this.calibratedAt < this.calibrateEveryMs) return rss * this.ratio;
    let pss = 0;
    for (const pid of pids) pss += pssBytesOf(pid);
    if (rss > 0) {
      this.ratio = pss / rss;
      this.calibratedAt = Date.now();
    }
    return pss;
  }
}
