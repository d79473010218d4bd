import { readFileSync, readdirSync } from 'node:fs';

export interface ProcessInfo {
  pid: number;
  cmdline: string;
}

function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name: state ppid ...
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[0] === 'Z' ? undefined : Number(fields[1]); // a zombie has ended
  } catch {
    return undefined;
  }
}

function cmdlineOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
  } catch {
    return undefined;
  }
}

/** Every live descendant of `rootPid` (children, their children, …), from /proc. */
export function descendantsOf(rootPid: number): ProcessInfo[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const ppid = parentOf(Number(entry));
    if (ppid !== undefined) children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
  }
  const out: ProcessInfo[] = [];
  const stack = [...(children.get(rootPid) ?? [])];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    const cmdline = cmdlineOf(pid);
    if (cmdline !== undefined) out.push({ pid, cmdline });
    stack.push(...(children.get(pid) ?? []));
  }
  return out;
}

/** Those of `processes` still alive as the same program (a reused pid runs something else). */
export function stillRunning(processes: ProcessInfo[]): ProcessInfo[] {
  return processes.filter((p) => parentOf(p.pid) !== undefined && cmdlineOf(p.pid) === p.cmdline);
}
