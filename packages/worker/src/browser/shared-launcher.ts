import { mkdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import type { StorageState } from '@fleetwright/shared';
import type { AccountProfile } from './account-profile.js';
import { findBrowserPid, killBrowser } from './browser-process.js';
import { writeChromiumLauncher } from './chromium-launcher.js';
import type { ContextLauncher, LaunchedContext } from './context-launcher.js';
import { accountContextOptions, persistentContextOptions } from './launch-options.js';
import { profilesRootOf, type LocalChromiumOptions } from './persistent-launcher.js';
import { reapProfiles } from './profile-reaper.js';

export interface SharedChromiumOptions extends LocalChromiumOptions {
  /** Account contexts per Chromium; past it another Chromium starts. */
  contextsPerBrowser: number;
}

/** One running shared Chromium. */
interface SharedBrowser {
  readonly dir: string;
  /** The persistent default context that keeps the browser (and its directory) alive. */
  readonly root: BrowserContext;
  readonly browser: Browser;
  readonly pid: number | undefined;
  /** Account contexts opened in it (or opening), not yet closed. */
  contexts: number;
  crashed: boolean;
}

/** The directory under which the shared browsers run (`<dataDir>/shared-browsers/<n>`). */
export function sharedBrowsersRootOf(dataDir: string): string {
  return path.join(dataDir, 'shared-browsers');
}

/**
 * Isolated `browser.newContext()`s of a few shared Chromiums: an account costs a context (its
 * renderers) instead of a whole browser. What it gives up: the OS process boundary between the
 * accounts of one browser, and on-disk data beyond the storage state (caches, service workers),
 * since a context lives in memory and only its snapshot (cookies, localStorage, IndexedDB) is kept.
 */
export class SharedChromiumLauncher implements ContextLauncher {
  private launcher: string | undefined;
  private started: Promise<void> | undefined;
  private readonly browsers: SharedBrowser[] = [];
  /** One launch at a time, so a burst of opens fills one browser instead of starting many. */
  private launching: Promise<SharedBrowser> | undefined;
  private nextIndex = 0;
  private closed = false;

  constructor(private readonly options: SharedChromiumOptions) {}

  start(): Promise<void> {
    this.started ??= (async () => {
      // A predecessor may have run either mode on this data dir.
      const killed = [...(await reapProfiles(sharedBrowsersRootOf(this.options.dataDir))), ...(await reapProfiles(profilesRootOf(this.options.dataDir)))];
      if (killed.length > 0) this.options.logger.warn("killed browsers left on this worker's profiles by a previous run", { pids: killed });
      await rm(sharedBrowsersRootOf(this.options.dataDir), { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
    })();
    return this.started;
  }

  /** The pids of the running shared browsers (their process trees hold every context). */
  browserPids(): number[] {
    return this.browsers.flatMap((b) => (b.pid === undefined ? [] : [b.pid]));
  }

  async open(profile: AccountProfile, state: StorageState | null): Promise<LaunchedContext> {
    const options = {
      ...accountContextOptions({ proxy: profile.proxy, deviceProfile: profile.deviceProfile }),
      // Cookies, localStorage and IndexedDB, restored by Playwright before any page opens.
      ...(state ? { storageState: state as unknown as NonNullable<Parameters<Browser['newContext']>[0]>['storageState'] } : {}),
    };
    let shared = await this.browserWithRoom();
    shared.contexts += 1;
    let context: BrowserContext;
    try {
      context = await shared.browser.newContext(options);
    } catch (error) {
      this.release(shared);
      if (shared.browser.isConnected()) throw error;
      // The browser died under us (its crash reopens every context at once): once more, in a new one.
      shared.crashed = true;
      this.forget(shared);
      shared = await this.browserWithRoom();
      shared.contexts += 1;
      try {
        context = await shared.browser.newContext(options);
      } catch (again) {
        this.release(shared);
        throw again;
      }
    }
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      this.release(shared);
    };
    return {
      context,
      browserPid: shared.pid,
      sharesBrowser: true,
      needsKeepAlivePage: false,
      snapshot: async () => (await context.storageState({ indexedDB: true })) as unknown as StorageState,
      close: async () => {
        try {
          await context.close();
        } finally {
          release();
        }
      },
      // A hung context close must not take the other accounts' contexts down with its browser.
      kill: async () => release(),
    };
  }

  private async browserWithRoom(): Promise<SharedBrowser> {
    for (;;) {
      // A dead browser's contexts hear of it before its own close event: ask the connection too.
      for (const b of this.browsers.filter((b) => !b.browser.isConnected())) {
        b.crashed = true;
        this.forget(b);
      }
      const roomy = this.browsers.find((b) => !b.crashed && b.contexts < this.options.contextsPerBrowser);
      if (roomy) return roomy;
      if (this.launching) {
        await this.launching.catch(() => undefined);
        continue;
      }
      this.launching = this.launchBrowser().finally(() => {
        this.launching = undefined;
      });
      return this.launching;
    }
  }

  private async launchBrowser(): Promise<SharedBrowser> {
    await this.start();
    if (this.closed) throw new Error('the shared browsers are closing');
    this.launcher ??= writeChromiumLauncher(this.options.dataDir, this.options.chromiumPath);
    const dir = path.join(sharedBrowsersRootOf(this.options.dataDir), String(this.nextIndex++));
    mkdirSync(dir, { recursive: true });
    const root = await chromium.launchPersistentContext(
      dir,
      persistentContextOptions({
        chromiumPath: this.launcher,
        headless: this.options.headless,
        sandbox: this.options.sandbox,
        proxy: null,
        deviceProfile: null,
      }),
    );
    const browser = root.browser();
    if (!browser) {
      await root.close();
      throw new Error('the shared Chromium exposes no browser to open contexts in');
    }
    const shared: SharedBrowser = { dir, root, browser, pid: findBrowserPid(dir), contexts: 0, crashed: false };
    const gone = (): void => {
      shared.crashed = true;
      this.forget(shared);
    };
    browser.on('disconnected', gone);
    root.on('close', gone);
    this.browsers.push(shared);
    this.options.logger.info('shared browser started', { pid: shared.pid });
    return shared;
  }

  /** An account context closed: a browser left empty goes, unless it is the last one. */
  private release(shared: SharedBrowser): void {
    shared.contexts -= 1;
    if (shared.contexts > 0 || shared.crashed || this.browsers.length <= 1) return;
    this.forget(shared);
    void this.closeBrowser(shared);
  }

  private forget(shared: SharedBrowser): void {
    const index = this.browsers.indexOf(shared);
    if (index >= 0) this.browsers.splice(index, 1);
  }

  private async closeBrowser(shared: SharedBrowser): Promise<void> {
    shared.crashed = true; // closing: no new context goes into it
    await shared.root.close().catch(() => undefined);
    if (shared.pid !== undefined) killBrowser(shared.pid);
    await reapProfiles(shared.dir);
    await rm(shared.dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 }).catch(() => undefined);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.launching?.catch(() => undefined);
    const browsers = this.browsers.splice(0);
    await Promise.allSettled(browsers.map((b) => this.closeBrowser(b)));
    const killed = await reapProfiles(sharedBrowsersRootOf(this.options.dataDir));
    if (killed.length > 0) this.options.logger.warn('killed shared browsers still running at close', { pids: killed });
    await rm(sharedBrowsersRootOf(this.options.dataDir), { recursive: true, force: true, maxRetries: 5, retryDelay: 100 }).catch(() => undefined);
  }
}
