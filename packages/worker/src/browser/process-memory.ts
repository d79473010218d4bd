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

/**
 * PSS summed over the process trees of `roots` (each browser and its renderers, GPU, network and
 * storage processes). PSS, not RSS: Chromium's processes share most of their pages, and RSS counts
 * those once per process.
 */
export function processTreePssBytes(roots: Iterable<number>): number {
  const children = parentsByPid();
  const seen = new Set<number>();
  const stack = [...roots];
  let total = 0;
  while (stack.length > 0) {
    const pid = stack.pop()!;
    if (seen.has(pid)) continue;
    seen.add(pid);
    total += pssBytesOf(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return total;
}
