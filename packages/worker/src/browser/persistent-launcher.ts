import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import type { Logger, StorageState } from '@fleetwright/shared';
import type { AccountProfile } from './account-profile.js';
import { findBrowserPid, killBrowser } from './browser-process.js';
import { writeChromiumLauncher } from './chromium-launcher.js';
import type { ContextLauncher, LaunchedContext } from './context-launcher.js';
import { persistentContextOptions } from './launch-options.js';
import { reapProfiles } from './profile-reaper.js';
import { restoreStorageState } from './restore-storage-state.js';

export interface LocalChromiumOptions {
  /** The worker's data dir: the launcher script and the browsers' directories live under it. */
  dataDir: string;
  chromiumPath: string;
  headless: boolean;
  /** Chromium's own sandbox, as decided by `chromiumSandboxEnabled`. */
  sandbox: boolean;
  logger: Logger;
}

/** The directory that holds every account's persistent profile (`<dataDir>/profiles/<accountId>`). */
export function profilesRootOf(dataDir: string): string {
  return path.join(dataDir, 'profiles');
}

/**
 * One persistent Chromium per account, on its own profile directory: an OS process boundary per
 * account, and everything Chromium keeps on disk (caches, service workers, IndexedDB) survives a
 * hibernation.
 */
export class PersistentChromiumLauncher implements ContextLauncher {
  private launcher: string | undefined;
  private started: Promise<void> | undefined;

  constructor(private readonly options: LocalChromiumOptions) {}

  start(): Promise<void> {
    this.started ??= (async () => {
      const killed = await reapProfiles(profilesRootOf(this.options.dataDir));
      if (killed.length > 0) this.options.logger.warn("killed browsers left on this worker's profiles by a previous run", { pids: killed });
    })();
    return this.started;
  }

  async open(profile: AccountProfile, state: StorageState | null): Promise<LaunchedContext> {
    const dir = path.join(profilesRootOf(this.options.dataDir), profile.accountId);
    mkdirSync(dir, { recursive: true });
    this.launcher ??= writeChromiumLauncher(this.options.dataDir, this.options.chromiumPath);
    const context = await chromium.launchPersistentContext(
      dir,
      persistentContextOptions({
        chromiumPath: this.launcher,
        headless: this.options.headless,
        sandbox: this.options.sandbox,
        proxy: profile.proxy,
        deviceProfile: profile.deviceProfile,
      }),
    );
    const browserPid = findBrowserPid(dir);
    const launched: LaunchedContext = {
      context,
      browserPid,
      sharesBrowser: false,
      needsKeepAlivePage: true,
      snapshot: async () => (await context.storageState()) as unknown as StorageState,
      close: () => context.close(),
      kill: async () => {
        const pid = browserPid ?? findBrowserPid(dir);
        if (pid !== undefined) killBrowser(pid);
        await reapProfiles(dir);
      },
    };
    // The master's snapshot is the truth and the directory only a cache of it: Chromium drops
    // session cookies at every close, so a snapshot is restored on every open, warm or not.
    try {
      if (state) await restoreStorageState(context, state);
    } catch (error) {
      await launched.close().catch(() => launched.kill());
      throw error;
    }
    return launched;
  }

  async close(): Promise<void> {
    const killed = await reapProfiles(profilesRootOf(this.options.dataDir));
    if (killed.length > 0) this.options.logger.warn("killed browsers still running on this worker's profiles at close", { pids: killed });
  }
}
