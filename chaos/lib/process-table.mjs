// The process table as a judge: what still runs that belongs to this run.
import { readFileSync, readdirSync } from 'node:fs';

function read(pid, file) {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return undefined; // ended while we looked, or not ours to read
  }
}

function isZombie(pid) {
  const stat = read(pid, 'stat');
  return stat === undefined || stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
}

/**
 * Live processes whose command line or environment mentions `needle` (the run's temp dir): a
 * worker's Chromium names its profile there, and every fleet process inherits FLEET_DATA_DIR
 * under it, so a worker's helpers and a browser that lost its worker are found too.
 * @returns {{ pid: number, cmdline: string }[]}
 */
export function processesOf(needle) {
  const found = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const cmdline = read(entry, 'cmdline');
    if (cmdline === undefined) continue;
    if (cmdline.includes(needle) || read(entry, 'environ')?.includes(needle)) {
      if (!isZombie(entry)) found.push({ pid: Number(entry), cmdline: cmdline.replace(/\0/g, ' ').trim() });
    }
  }
  return found;
}

/** Main Chromium processes (not renderers or helpers) of a run, with the account whose profile each holds. */
export function browsersOf(needle) {
  return processesOf(needle)
    .filter((p) => p.cmdline.includes('--user-data-dir=') && !p.cmdline.includes('--type='))
    .map((p) => ({ ...p, accountId: /--user-data-dir=\S*\/profiles\/([^/\s]+)/.exec(p.cmdline)?.[1] }));
}
