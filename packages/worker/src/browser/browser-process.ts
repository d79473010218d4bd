import { readFileSync, readdirSync } from 'node:fs';

/**
 * The pid of the browser (not a renderer or helper) started with this user-data-dir, found in
 * /proc: Playwright does not expose a persistent context's browser process.
 */
export function findBrowserPid(userDataDir: string): number | undefined {
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return undefined;
  }
  for (const entry of entries) {
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (argv.includes(`--user-data-dir=${userDataDir}`) && !argv.some((a) => a.startsWith('--type='))) return Number(entry);
    } catch {
      // ended while we looked
    }
  }
  return undefined;
}

/** Kills the browser and everything in its process group (Playwright starts it detached). */
export function killBrowser(pid: number): void {
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, 'SIGKILL');
    } catch {
      // already gone, or not a group leader
    }
  }
}
