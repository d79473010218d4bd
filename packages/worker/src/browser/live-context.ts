import type { BrowserContext, Page } from 'playwright-core';
import type { Logger, StorageState } from '@fleetwright/shared';
import type { AccountProfile } from './account-profile.js';
import { findBrowserPid, killBrowser } from './browser-process.js';
import type { HeldLease } from './lease-provider.js';
import { reapProfiles } from './profile-reaper.js';
import type { RemoteContext } from './remote-browsers.js';

/** An account's open context, as the browser manager tracks it. */
export interface LiveContext {
  accountId: string;
  /** What it was opened with: a reset reopens it the same way, and a snapshot's version counts from it. */
  profile: AccountProfile;
  context: BrowserContext;
  userDataDir: string;
  /** The browser's pid, for the kill when a close hangs. */
  pid: number | undefined;
  fenceToken: number;
  lease: HeldLease | undefined;
  /** Set when the context lives on a remote browser (CDP): closing it goes through the provider. */
  remote: RemoteContext | undefined;
  /** Closing a persistent context's last page drops its session cookies, so one blank page stays open. */
  keepAlivePage: Page | undefined;
  lastUsedAt: number;
  activePages: number;
  crashed: boolean;
  openedAt: number;
  jobsRun: number;
  /** Opened with settings that have changed since: relaunch once idle. */
  stale?: boolean;
}

/** How a context is closed. */
export interface CloseOptions {
  /** Snapshot the state first. @defaultValue true */
  snapshot?: boolean;
  /** Where the snapshot goes instead of `onSnapshot` and the hibernation cache (a retiring account). */
  deliver?: (state: StorageState) => Promise<void>;
  /** @defaultValue `closeTimeoutMs` */
  timeoutMs?: number;
}

/**
 * Closes the context, and kills its browser when the close has not finished after `timeoutMs`;
 * resolves once no process of a local profile is left, so its directory and lock are free.
 */
export async function closeOrKill(live: LiveContext, timeoutMs: number, logger: Logger): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
    timer.unref();
  });
  const closed = live.remote ? live.remote.close() : live.context.close();
  const outcome = await Promise.race([
    closed.then(
      () => 'closed' as const,
      () => 'closed' as const,
    ),
    timedOut,
  ]);
  clearTimeout(timer);
  if (outcome !== 'timeout') return;
  logger.warn('context close hung; killing its browser', { accountId: live.accountId, pid: live.pid });
  const pid = live.pid ?? findBrowserPid(live.userDataDir);
  if (pid !== undefined) killBrowser(pid);
  if (!live.remote) await reapProfiles(live.userDataDir);
}

export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
      timer.unref();
    }),
  ]).finally(() => clearTimeout(timer));
}
