import type { BrowserContext, Page } from 'playwright-core';
import type { Logger, StorageState } from '@fleetwright/shared';
import type { AccountProfile } from './account-profile.js';
import type { LaunchedContext } from './context-launcher.js';
import type { HeldLease } from './lease-provider.js';
import { SparePage } from './spare-page.js';

/** How a context is closed. */
export interface CloseOptions {
  /** Snapshot the state first. @defaultValue true */
  snapshot?: boolean;
  /** Where the snapshot goes instead of `onSnapshot` and the hibernation cache (a retiring account). */
  deliver?: (state: StorageState) => Promise<void>;
  /** @defaultValue `closeTimeoutMs` */
  timeoutMs?: number;
  /**
   * Close only this context: if the account's live context is another (this one crashed and was
   * reopened since), nothing closes.
   */
  only?: BrowserContext;
}

/**
 * One account's open context: its pages, its keep-alive page, its lease, and its close (graceful,
 * then killed). The browser manager decides when contexts open and close; this owns how.
 */
export class AccountContext {
  readonly accountId: string;
  /** What it was opened with: a reset reopens it the same way, and a snapshot's version counts from it. */
  profile: AccountProfile;
  /** Read by the fence route at each request, so a newer token applies at once. */
  fenceToken: number;
  readonly lease: HeldLease | undefined;
  readonly openedAt = Date.now();
  lastUsedAt = Date.now();
  activePages = 0;
  jobsRun = 0;
  /** Closed without being asked (the browser died or was killed). */
  crashed = false;
  /** Opened with settings that have changed since: relaunch once idle. */
  stale = false;
  /** Closing a persistent context's last page drops its session cookies, so one blank page stays open there. */
  keepAlivePage: Page | undefined;
  /** Where no page stays between jobs: the next job's page, opened when the last one closed. */
  private readonly spare: SparePage | undefined;
  private closing: Promise<void> | undefined;

  /** `sparePageIdleMs`: how long a context without a keep-alive page keeps its next job's page ready (0: it keeps none). */
  constructor(
    readonly launched: LaunchedContext,
    profile: AccountProfile,
    lease: HeldLease | undefined,
    sparePageIdleMs = 0,
  ) {
    this.accountId = profile.accountId;
    this.profile = profile;
    this.lease = lease;
    this.fenceToken = lease?.fenceToken ?? profile.fenceToken;
    if (!launched.needsKeepAlivePage && sparePageIdleMs > 0) this.spare = new SparePage(launched.context, sparePageIdleMs);
  }

  get context(): BrowserContext {
    return this.launched.context;
  }

  /** Opens the page that keeps the context's session alive between jobs, where it needs one (a blank page costs a renderer). */
  async keepAlive(): Promise<void> {
    if (!this.launched.needsKeepAlivePage) return;
    this.keepAlivePage = this.context.pages()[0] ?? (await this.context.newPage());
  }

  /** A fresh page, counted as activity until it closes; `onIdle` runs when the last one closes. */
  async newPage(onIdle: () => void): Promise<Page> {
    this.lastUsedAt = Date.now();
    // Counted before the page exists: nothing may hibernate the context while its page opens.
    this.activePages += 1;
    let page: Page;
    try {
      page = (await this.spare?.take()) ?? (await this.context.newPage());
    } catch (error) {
      this.activePages -= 1;
      this.lastUsedAt = Date.now();
      throw error;
    }
    page.once('close', () => {
      this.activePages -= 1;
      this.lastUsedAt = Date.now();
      if (this.activePages > 0) return;
      onIdle();
      // Not for a context about to close: crashed, closing, or to be relaunched with new settings.
      if (!this.closing && !this.crashed && !this.stale) this.spare?.prepare();
    });
    return page;
  }

  /** Closes the page kept ready for the next job (memory is short); answers whether there was one. */
  dropSparePage(): Promise<boolean> {
    return this.spare?.close() ?? Promise.resolve(false);
  }

  /** Open but not handed to its caller yet: no hibernation may take it in between. */
  opening = true;

  get idle(): boolean {
    return this.activePages === 0 && !this.opening;
  }

  snapshot(): Promise<StorageState> {
    return this.launched.snapshot();
  }

  /**
   * Graceful close, then a kill after `timeoutMs`, so no Chromium outlives its context; then the
   * lease goes back, once no browser can touch the profile any more. Idempotent.
   */
  close(timeoutMs: number, logger: Logger): Promise<void> {
    this.closing ??= (async () => {
      this.spare?.dispose();
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), timeoutMs);
        timer.unref();
      });
      const outcome = await Promise.race([
        this.launched.close().then(
          () => 'closed' as const,
          () => 'closed' as const,
        ),
        timedOut,
      ]);
      clearTimeout(timer);
      if (outcome === 'timeout') {
        logger.warn('context close hung; killing its browser', { accountId: this.accountId, pid: this.launched.browserPid });
        await this.launched.kill();
      }
      await this.lease?.release();
    })();
    return this.closing;
  }
}
