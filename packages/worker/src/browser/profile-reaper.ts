import { existsSync, readFileSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { killBrowser } from './browser-process.js';

/** The files Chromium's process singleton leaves in a profile; stale ones can block the next launch. */
const SINGLETON_FILES = ['SingletonLock', 'SingletonSocket', 'SingletonCookie'] as const;

function argvOf(pid: number): string[] | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return undefined; // ended while we looked
  }
}

/** Alive and not a zombie waiting for its parent to reap it. */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Whether a `--user-data-dir` argument names `root` or a directory under it. */
function usesDirUnder(argv: string[], root: string): boolean {
  return argv.some((a) => a.startsWith('--user-data-dir=') && (a === `--user-data-dir=${root}` || a.startsWith(`--user-data-dir=${root}${path.sep}`)));
}

/**
 * The pid a profile's `SingletonLock` names (a symlink to `<host>-<pid>`), when that process runs
 * on this host and is a Chromium: a pid reused by something else is left alone.
 */
function singletonPid(profileDir: string): number | undefined {
  let target: string;
  try {
    target = readlinkSync(path.join(profileDir, 'SingletonLock'));
  } catch {
    return undefined;
  }
  const dash = target.lastIndexOf('-');
  const pid = Number(target.slice(dash + 1));
  if (target.slice(0, dash) !== os.hostname() || !Number.isInteger(pid) || pid <= 0 || pid === process.pid) return undefined;
  const argv = argvOf(pid);
  return argv && /chrom/i.test(argv[0] ?? '') ? pid : undefined;
}

function profileDirsUnder(root: string): string[] {
  try {
    return readdirSync(root, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => path.join(root, e.name));
  } catch {
    return [];
  }
}

/** Every process (browser, renderer, helper) that runs on a profile under `root`, by argv or SingletonLock. */
export function processesOnProfiles(root: string): number[] {
  // No directory, no profile to hold: a fresh data dir skips the scan of every process.
  if (!existsSync(root)) return [];
  const found = new Set<number>();
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    // no /proc: nothing we can find
  }
  for (const entry of entries) {
    const pid = Number(entry);
    if (pid === process.pid) continue;
    const argv = argvOf(pid);
    if (argv && usesDirUnder(argv, root) && isRunning(pid)) found.add(pid);
  }
  for (const dir of profileDirsUnder(root)) {
    const pid = singletonPid(dir);
    if (pid !== undefined && isRunning(pid)) found.add(pid);
  }
  return [...found];
}

/**
 * Kills whatever still runs on the profiles under `root` (a dead predecessor's browsers, or one a
 * failed step left behind), waits until they are gone, and removes the singleton files they left,
 * so the next launch on those directories starts clean. Only this worker's own profiles dir is ever
 * given: other workers' browsers are never touched. Returns the pids it killed.
 */
export async function reapProfiles(root: string, timeoutMs = 5000): Promise<number[]> {
  const pids = processesOnProfiles(root);
  for (const pid of pids) killBrowser(pid);
  const until = Date.now() + timeoutMs;
  while (pids.some(isRunning) && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 25));
  for (const dir of profileDirsUnder(root)) removeSingletonFiles(dir);
  return pids;
}

/** Removes the singleton files of a profile whose browser is gone. */
export function removeSingletonFiles(profileDir: string): void {
  for (const name of SINGLETON_FILES) rmSync(path.join(profileDir, name), { force: true });
}

/** The account ids that have a profile directory under `root`. */
export function profileIdsIn(root: string): string[] {
  return profileDirsUnder(root).map((dir) => path.basename(dir));
}

/** Deletes a profile directory once no browser runs on it (one that outlived its close would keep writing). */
export async function removeProfileDir(dir: string): Promise<void> {
  await reapProfiles(dir);
  await rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
}
