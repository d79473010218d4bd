import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { FleetError, type StorageState } from '@fleetwright/shared';
import type { AccountProfile } from './account-profile.js';
import type { BrowserManagerOptions } from './browser-manager-options.js';
import { persistentContextOptions } from './launch-options.js';
import { restoreStorageState } from './restore-storage-state.js';

interface LiveContext {
  accountId: string;
  context: BrowserContext;
  /** Closing a persistent context's last page drops its session cookies, so one blank page stays open. */
  keepAlivePage: Page;
  lastUsedAt: number;
  activePages: number;
  crashed: boolean;
}

/**
 * One persistent Chromium context per live account. Business code never sees this class: it gets
 * pages through the job runner.
 */
export class BrowserManager {
  private readonly live = new Map<string, LiveContext>();
  private readonly opening = new Map<string, Promise<LiveContext>>();
  private closing: Promise<void> | undefined;

  constructor(private readonly options: BrowserManagerOptions) {}

  get liveCount(): number {
    return this.live.size;
  }

  liveAccountIds(): string[] {
    return [...this.live.keys()];
  }

  profileDir(accountId: string): string {
    return path.join(this.options.dataDir, 'profiles', accountId);
  }

  /** Opens the account's context if it is not open yet, restoring its stored state into a new directory. */
  async open(profile: AccountProfile): Promise<void> {
    await this.ensure(profile);
  }

  /** A fresh page in the account's context; the caller closes it. */
  async newPage(profile: AccountProfile): Promise<Page> {
    const live = await this.ensure(profile);
    live.lastUsedAt = Date.now();
    const page = await live.context.newPage();
    live.activePages += 1;
    page.once('close', () => {
      live.activePages -= 1;
      live.lastUsedAt = Date.now();
    });
    return page;
  }

  async snapshot(accountId: string): Promise<StorageState> {
    const live = this.live.get(accountId);
    if (!live) throw new FleetError('BROWSER_CRASHED', `account ${accountId} has no open context`);
    return (await live.context.storageState()) as unknown as StorageState;
  }

  private async ensure(profile: AccountProfile): Promise<LiveContext> {
    if (this.closing) throw new FleetError('BROWSER_CRASHED', 'the browser manager is closing');
    const existing = this.live.get(profile.accountId);
    if (existing && !existing.crashed) return existing;
    if (existing) await this.closeContext(profile.accountId);
    let pending = this.opening.get(profile.accountId);
    if (!pending) {
      pending = this.launch(profile).finally(() => this.opening.delete(profile.accountId));
      this.opening.set(profile.accountId, pending);
    }
    return pending;
  }

  private async launch(profile: AccountProfile): Promise<LiveContext> {
    await this.makeRoom();
    const dir = this.profileDir(profile.accountId);
    const warm = existsSync(path.join(dir, 'Default'));
    mkdirSync(dir, { recursive: true });
    const started = Date.now();
    const context = await chromium.launchPersistentContext(
      dir,
      persistentContextOptions({ chromiumPath: this.options.chromiumPath, headless: this.options.headless ?? true, proxy: profile.proxy, deviceProfile: profile.deviceProfile }),
    );
    await context.setExtraHTTPHeaders({ 'X-Fleet-Fence': String(profile.fenceToken) });
    // The master's snapshot is the truth; a warm directory is only a cache of it.
    if (!warm && profile.storageState) await restoreStorageState(context, profile.storageState);
    const keepAlivePage = context.pages()[0] ?? (await context.newPage());
    const live: LiveContext = { accountId: profile.accountId, context, keepAlivePage, lastUsedAt: Date.now(), activePages: 0, crashed: false };
    context.on('close', () => {
      live.crashed = true;
      if (this.live.get(profile.accountId) === live) this.live.delete(profile.accountId);
    });
    this.live.set(profile.accountId, live);
    this.options.logger.info('browser context opened', { accountId: profile.accountId, warm, ms: Date.now() - started });
    return live;
  }

  /** Closes the least recently used idle context when the cap is reached. */
  private async makeRoom(): Promise<void> {
    const max = this.options.maxLiveContexts ?? 10;
    while (this.live.size >= max) {
      const idle = [...this.live.values()].filter((l) => l.activePages === 0).sort((a, b) => a.lastUsedAt - b.lastUsedAt)[0];
      if (!idle) return; // every context is busy; open one over the cap rather than fail the job
      await this.closeContext(idle.accountId);
    }
  }

  /** Graceful close, then a kill after the timeout, so no Chromium outlives its context. */
  async closeContext(accountId: string): Promise<void> {
    const live = this.live.get(accountId);
    if (!live) return;
    this.live.delete(accountId);
    const timeoutMs = this.options.closeTimeoutMs ?? 10_000;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
      timer.unref();
    });
    const outcome = await Promise.race([live.context.close().then(() => 'closed' as const, () => 'closed' as const), timedOut]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      this.options.logger.warn('context close hung; killing its browser', { accountId });
      killBrowserOf(live.context);
    }
  }

  /** Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await Promise.allSettled([...this.opening.values()]);
      await Promise.allSettled([...this.live.keys()].map((id) => this.closeContext(id)));
    })();
    return this.closing;
  }
}

function killBrowserOf(context: BrowserContext): void {
  // Playwright does not expose the pid of a persistent context's browser; `process()` exists on
  // the launched Browser when there is one.
  const browser = context.browser() as unknown as { process?: () => { kill(signal: string): void } | null } | null;
  try {
    browser?.process?.()?.kill('SIGKILL');
  } catch {
    // already gone
  }
}
