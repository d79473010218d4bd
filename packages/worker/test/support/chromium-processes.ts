import { readFileSync, readdirSync } from 'node:fs';

export interface ProcessInfo {
  pid: number;
  ppid: number;
  /** Arguments, NUL-split. */
  argv: string[];
}

function readProcess(pid: number): ProcessInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses: fields start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    return { pid, ppid: Number(fields[1]), argv };
  } catch {
    return undefined; // ended while we looked
  }
}

export function allProcesses(): ProcessInfo[] {
  const out: ProcessInfo[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const info = readProcess(Number(entry));
    if (info) out.push(info);
  }
  return out;
}

/** Chromium processes whose parent chain leads to `root` (this test process by default). */
export function chromiumDescendants(root = process.pid): ProcessInfo[] {
  const all = allProcesses();
  const byPid = new Map(all.map((p) => [p.pid, p]));
  const leadsToRoot = (p: ProcessInfo): boolean => {
    for (let cur: ProcessInfo | undefined = p, hops = 0; cur && hops < 64; cur = byPid.get(cur.ppid), hops += 1) {
      if (cur.ppid === root) return true;
      if (cur.ppid <= 1) return false;
    }
    return false;
  };
  return all.filter((p) => p.argv.join(' ').includes('chromium') && leadsToRoot(p));
}

/** Processes whose command line mentions `needle` (a test's temp dir), wherever they were reparented. */
export function processesMentioning(needle: string): ProcessInfo[] {
  return allProcesses().filter((p) => p.pid !== process.pid && p.argv.some((a) => a.includes(needle)));
}

/** The browser (main) process launched by this process for a persistent profile directory. */
export function browserProcessOf(profileDir: string): ProcessInfo | undefined {
  return allProcesses().find((p) => p.ppid === process.pid && p.argv.includes(`--user-data-dir=${profileDir}`));
}

/** Last-resort cleanup for tests that stop or orphan a browser on purpose. */
export function killProcesses(processes: ProcessInfo[]): void {
  for (const p of processes) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
