import type { Page, Tracing } from 'playwright-core';
import { FleetError, type StorageState } from '@fleetwright/shared';
import type { AccountProfile } from './account-profile.js';
import { AccountContext, type CloseOptions } from './account-context.js';
import { resolveBrowserManagerOptions, type BrowserManagerOptions, type ResolvedBrowserManagerOptions } from './browser-manager-options.js';
import { BrowserStates } from './browser-states.js';
import { createContextLauncher } from './create-context-launcher.js';
import type { ContextLauncher } from './context-launcher.js';
import { sendFenceTo } from './fence-header.js';
import { HibernatedStates } from './hibernated-states.js';
import { HibernationPolicy } from './hibernation-policy.js';
import { LaunchSlots } from './launch-slots.js';
import type { MemoryGuard, MemoryReading } from './memory-guard.js';
import { ProfileDirs } from './profile-dirs.js';
import { withTimeout } from './with-timeout.js';
import { firstLineOf } from '../error-text.js';

/**
 * The live contexts of a worker's accounts: which are open, the cap on them, hibernation,
 * recycling and the states reported to the master. How a context opens is its launcher's
 * ({@link ContextLauncher}); how one closes is its {@link AccountContext}'s. Business code never
 * sees this class: it gets pages through the job runner.
 */
export class BrowserManager {
  private readonly live = new Map<string, AccountContext>();
  private readonly opening = new Map<string, Promise<AccountContext>>();
  private closing: Promise<void> | undefined;
  private readonly launcher: ContextLauncher;
  /** Contexts being closed, so a reopen of the same profile waits for its directory and lock. */
  private readonly closingAccounts = new Map<string, Promise<void>>();
  /** States taken when contexts were hibernated, newer than the master's until it delivers one. */
  private readonly hibernated = new HibernatedStates();
  /** Room under the live cap and the memory limit: launches in flight count against both. */
  private readonly slots: LaunchSlots;
  private readonly profiles: ProfileDirs;
  /** Reaping what a dead predecessor left on these profiles: every launch waits for it. */
  private started: Promise<void> | undefined;

  /** Starting, running and failed accounts, reported to the master. */
  readonly states: BrowserStates;

  private readonly options: ResolvedBrowserManagerOptions;

  constructor(options: BrowserManagerOptions) {
    this.options = resolveBrowserManagerOptions(options);
    this.states = new BrowserStates(options.onBrowserState);
    this.launcher = createContextLauncher(this.options);
    this.profiles = new ProfileDirs(this.options.dataDir, this.options.logger);
    this.hibernation = new HibernationPolicy(
      {
        live: () => this.live.values(),
        // Still the same context when its turn comes: one that left `live` meanwhile stays as it is.
        hibernate: (accountId) => this.closeContext(accountId, { snapshot: true }),
        closing: () => this.closing !== undefined,
      },
      this.options,
    );
    this.slots = new LaunchSlots(
      {
        liveCount: () => this.live.size,
        leastRecentlyUsedIdle: () => this.hibernation.leastRecentlyUsedIdle(),
        hibernate: (accountId) => this.closeContext(accountId, { snapshot: true }),
        closing: () => this.closing !== undefined,
      },
      { ...this.options, memory: this.memory, perContextBytes: () => this.hibernation.perContextBytes() },
    );
  }

  /** Memory pressure and idleness: which idle contexts go besides the live cap. */
  private readonly hibernation: HibernationPolicy;

  private get memory(): MemoryGuard {
    return this.hibernation.memory;
  }

  /** The browsers' memory against the limit (heartbeats carry it). */
  memoryReading(): MemoryReading {
    return this.memory.reading();
  }

  /** Above the memory high-water mark: hibernates least recently used idle contexts until below it. */
  relieveMemoryPressure(): Promise<void> {
    return this.hibernation.relieveMemoryPressure();
  }

  /**
   * Kills what a dead predecessor (a SIGKILLed worker, a crashed host) left running on this
   * worker's profiles, and only those, and clears their stale singleton files. Idempotent; every
   * launch waits for it, so nothing is launched on a profile a leftover still holds.
   */
  start(): Promise<void> {
    this.started ??= this.launcher.start();
    if (!this.closing) this.hibernation.start();
    return this.started;
  }

  get liveCount(): number {
    return this.live.size;
  }

  /** Accounts hibernated (closed for room, state kept) and not reopened since. */
  get hibernatedCount(): number {
    return this.hibernated.size;
  }

  liveAccountIds(): string[] {
    return [...this.live.keys()];
  }

  profileDir(accountId: string): string {
    return this.profiles.of(accountId);
  }

  /** Opens the account's context if it is not open yet, restoring its stored state into a new directory. */
  async open(profile: AccountProfile): Promise<void> {
    await this.ensure(profile);
  }

  /**
   * A fresh page in the account's context; the caller closes it. `signal` (the job's) cancels the
   * launch while it waits for memory; a launch under way is not cut short.
   */
  async newPage(profile: AccountProfile, signal?: AbortSignal): Promise<Page> {
    const live = await this.ensure(profile, signal);
    return live.newPage(() => {
      // Its settings changed while it was busy: relaunch now that it is idle.
      if (live.stale && this.live.get(live.accountId) === live) void this.closeContext(live.accountId, { snapshot: true }).catch(() => undefined);
    });
  }

  async snapshot(accountId: string): Promise<StorageState> {
    const live = this.live.get(accountId);
    if (!live) throw new FleetError('BROWSER_CRASHED', `account ${accountId} has no open context`);
    return live.snapshot();
  }

  /** `signal` cancels a launch that is waiting for memory (the first caller's, when several ask at once). */
  private async ensure(profile: AccountProfile, signal?: AbortSignal): Promise<AccountContext> {
    if (this.closing) throw new FleetError('BROWSER_CRASHED', 'the browser manager is closing');
    const existing = this.live.get(profile.accountId);
    if (existing && !existing.crashed) {
      // A reassignment under a newer epoch or lock brings a higher fencing token: send that one.
      if (!this.options.leases && profile.fenceToken !== existing.fenceToken) {
        existing.fenceToken = profile.fenceToken; // the fence route reads it at each request
        this.states.set(profile.accountId, 'running', { fenceToken: profile.fenceToken });
      }
      existing.profile = profile;
      return existing;
    }
    if (existing) await this.closeContext(profile.accountId, { snapshot: false });
    let pending = this.opening.get(profile.accountId);
    if (!pending) {
      // Registered before the launch starts, so concurrent launches count each other against the cap.
      this.states.set(profile.accountId, 'starting');
      pending = Promise.resolve()
        .then(() => this.launch(profile, signal))
        .then(
          (live) => {
            this.states.set(profile.accountId, 'running', { fenceToken: live.fenceToken });
            return live;
          },
          (error: unknown) => {
            this.states.set(profile.accountId, 'error', { error: firstLineOf(error) });
            throw error;
          },
        )
        .finally(() => this.opening.delete(profile.accountId));
      this.opening.set(profile.accountId, pending);
    }
    return pending;
  }

  private async launch(profile: AccountProfile, signal?: AbortSignal): Promise<AccountContext> {
    await this.start();
    // The same profile may still be closing (hibernated, recycled, stopped): its browser holds the
    // directory and its lock until then.
    await this.closingAccounts.get(profile.accountId);
    const evictions = await this.slots.reserve(signal);
    try {
      const [live] = await Promise.all([this.launchNow(profile), Promise.allSettled(evictions)]);
      live.opening = false; // handed out in this same turn, so a timer cannot hibernate it first
      return live;
    } finally {
      this.slots.release();
    }
  }

  private async launchNow(profile: AccountProfile): Promise<AccountContext> {
    const warm = this.profiles.isWarm(profile.accountId);
    const started = Date.now();
    // The lock comes first: no browser touches the profile without it.
    const lease = await this.options.leases?.acquire(profile.accountId, (error) => this.leaseLost(profile.accountId, error));
    // A hibernation snapshot of ours is newer than what the caller holds, unless the master has
    // since delivered one at least as new (masterStateAt dropped ours then).
    const state = this.hibernated.get(profile.accountId)?.state ?? profile.storageState;
    let live: AccountContext;
    try {
      live = new AccountContext(await this.launcher.open(profile, state), profile, lease, this.options.sparePageIdleMs);
    } catch (error) {
      await lease?.release();
      throw error;
    }
    try {
      await sendFenceTo(live.context, this.options.fenceOriginsOf?.(profile.accountId) ?? [], () => live.fenceToken);
      await live.keepAlive();
      this.hibernated.delete(profile.accountId); // in the context now (kept if the open failed)
    } catch (error) {
      // Launched but not usable: nothing else knows of this browser, so it goes now.
      await this.closeLive(live, { snapshot: false });
      throw error;
    }
    live.context.on('close', () => this.closedUnasked(live));
    this.live.set(profile.accountId, live);
    this.options.logger.info('browser context opened', { accountId: profile.accountId, warm, ms: Date.now() - started });
    return live;
  }

  /**
   * A context closed without being asked while it was still live: its browser died or was killed.
   * Contexts of a shared browser reopen at once (the launcher starts a new browser), so the accounts
   * it held stay available; their running jobs fail with `BROWSER_CRASHED` and run again.
   */
  private closedUnasked(live: AccountContext): void {
    live.crashed = true;
    void live.lease?.release();
    if (this.live.get(live.accountId) !== live) return;
    this.live.delete(live.accountId);
    this.states.set(live.accountId, 'error', { error: 'the browser closed unexpectedly (crashed or killed)' });
    this.options.onContextCrashed?.(
      live.accountId,
      new FleetError('BROWSER_CRASHED', `the browser of account ${live.accountId} closed unexpectedly (crashed or killed)`),
    );
    if (!live.launched.sharesBrowser || this.closing) return;
    this.options.logger.warn('shared browser gone; reopening the context', { accountId: live.accountId });
    this.ensure(live.profile).catch((error: unknown) =>
      this.options.logger.warn('could not reopen a context after its shared browser crashed', { accountId: live.accountId, error: firstLineOf(error) }),
    );
  }

  /** The master delivered the account's state at `version`: a cached state of ours that is not newer goes. */
  masterStateAt(accountId: string, version: number): void {
    this.hibernated.masterStateAt(accountId, version);
  }

  /** Whether a context could open now without closing another or crossing the memory limit (eager warm-ups use this). */
  hasRoom(): boolean {
    if (this.live.size + this.opening.size >= this.options.maxLiveContexts) return false;
    // Under memory pressure a warm-up would only be hibernated again: the first job opens it.
    return this.live.size + this.opening.size === 0 || this.memory.hasRoomFor(this.opening.size + 1, this.hibernation.perContextBytes());
  }

  /**
   * Graceful close, then a kill after the timeout, so no Chromium outlives its context. With
   * `snapshot` (the default) the state is taken first and handed to `onSnapshot`, so the account
   * reopens signed in (here or on another worker). A context still opening is waited for, then
   * closed: a close never lets a launch in flight come up afterwards.
   */
  async closeContext(accountId: string, options: CloseOptions = {}): Promise<void> {
    // Only when one is in flight: otherwise the context leaves `live` in this same turn, so a
    // newPage() asked for right after waits for this close instead of reusing the closing context.
    const opening = this.opening.get(accountId);
    // A context still opening is never the one asked for by `only`: that one was open already.
    if (opening && !options.only) await opening.catch(() => undefined);
    const live = this.live.get(accountId);
    if (!live || (options.only && live.context !== options.only)) return;
    this.live.delete(accountId);
    this.states.set(accountId, 'stopped');
    const closing = this.closeLive(live, options);
    this.closingAccounts.set(accountId, closing);
    try {
      await closing;
    } finally {
      if (this.closingAccounts.get(accountId) === closing) this.closingAccounts.delete(accountId);
    }
  }

  private async closeLive(live: AccountContext, options: CloseOptions): Promise<void> {
    const { accountId } = live;
    const timeoutMs = options.timeoutMs ?? this.options.closeTimeoutMs;
    if (options.snapshot !== false && !live.crashed) {
      try {
        const state = await withTimeout(live.snapshot(), Math.min(5000, timeoutMs));
        if (options.deliver) {
          await options.deliver(state);
        } else {
          const version = await this.options.onSnapshot?.(accountId, state);
          this.hibernated.set(accountId, { state, version: version ?? live.profile.storageStateVersion + 1 });
        }
      } catch (error) {
        this.options.logger.warn('could not snapshot a context before closing it', { accountId, error });
      }
    }
    await live.close(timeoutMs, this.options.logger);
  }

  /**
   * Force reset of a stuck profile: a short graceful close (snapshot included, both bounded by
   * `resetTimeoutMs`), then a kill, and the context opens again under a new lease, so a new fence
   * (with Redis; without it, the master's next epoch is the new fence). The caller aborts the
   * account's running job first. Returns the fencing token the reopened context sends.
   */
  async reset(profile: AccountProfile): Promise<number> {
    if (this.closing) throw new FleetError('BROWSER_CRASHED', 'the browser manager is closing');
    this.options.logger.warn('resetting a browser context', { accountId: profile.accountId });
    await this.closeContext(profile.accountId, { snapshot: true, timeoutMs: this.options.resetTimeoutMs });
    const live = await this.ensure(profile);
    return live.fenceToken;
  }

  /**
   * The account left this worker (revoked, moved, deleted): its final state goes to `deliver` (a
   * live context is snapshotted; a hibernated one hands over its last snapshot), then the context
   * closes and the local copy goes: the cached state and the profile directory, which holds live
   * session cookies. The master's snapshot is the truth from now on.
   */
  async retire(accountId: string, deliver?: (state: StorageState) => Promise<void>): Promise<void> {
    const opening = this.opening.get(accountId);
    if (opening) await opening.catch(() => undefined);
    if (this.live.has(accountId)) {
      await this.closeContext(accountId, deliver ? { snapshot: true, deliver } : { snapshot: false });
    } else {
      const hibernated = this.hibernated.get(accountId);
      if (hibernated && deliver)
        await deliver(hibernated.state).catch((error: unknown) =>
          this.options.logger.warn('could not deliver the final state of a hibernated context', { accountId, error }),
        );
    }
    this.hibernated.delete(accountId);
    await this.profiles.remove(accountId);
  }

  /**
   * Deletes the profile directories of accounts not in `keep` that have no context open, opening
   * or closing here: accounts that moved away or were deleted while this worker was down. Returns
   * the accounts whose directories went.
   */
  pruneProfiles(keep: ReadonlySet<string>): Promise<string[]> {
    return this.profiles.prune(
      keep,
      (id) => this.live.has(id) || this.opening.has(id) || this.closingAccounts.has(id),
      (id) => this.hibernated.delete(id),
    );
  }

  /** Another holder may have the profile now: stop its jobs and close it at once, without a snapshot. */
  private leaseLost(accountId: string, error: FleetError): void {
    this.options.logger.warn('profile lease lost; closing the context', { accountId });
    this.options.onLeaseLost?.(accountId, error);
    void this.closeContext(accountId, { snapshot: false }).then(() => this.states.set(accountId, 'error', { error: error.message }));
  }

  /**
   * Counts a finished job; past `recycleAfterJobs` or `recycleAfterMs` the context is recycled
   * (snapshot, close; the next job reopens it fresh). Returns whether it was.
   */
  async jobFinished(accountId: string): Promise<boolean> {
    const live = this.live.get(accountId);
    if (!live) return false;
    live.jobsRun += 1;
    const tooMany = live.jobsRun >= this.options.recycleAfterJobs;
    const tooOld = Date.now() - live.openedAt >= this.options.recycleAfterMs;
    if (!(tooMany || tooOld) || live.activePages > 0) return false;
    this.options.logger.info('recycling a browser context', { accountId, jobsRun: live.jobsRun, ageMs: Date.now() - live.openedAt });
    await this.closeContext(accountId, { snapshot: true });
    return true;
  }

  /**
   * The account's settings changed (proxy, device): an idle context is recycled now, a busy one
   * after its current job, so the next open applies them. Returns whether it closed it now.
   */
  async settingsChanged(accountId: string): Promise<boolean> {
    const live = this.live.get(accountId);
    if (!live) return false;
    if (live.activePages > 0) {
      live.stale = true; // closed when its last page closes
      return false;
    }
    this.options.logger.info('reopening a browser context for new settings', { accountId });
    await this.closeContext(accountId, { snapshot: true });
    return true;
  }

  /** The page an open context keeps while no job runs (the live view shows it then). */
  keepAlivePageOf(accountId: string): Page | undefined {
    return this.live.get(accountId)?.keepAlivePage;
  }

  /** The account's context tracing (the runner records a trace per job and keeps it on failure). */
  tracingOf(accountId: string): Tracing | undefined {
    return this.live.get(accountId)?.context.tracing;
  }

  /**
   * The pid of the Chromium that holds the account's context (tests and diagnostics): its own in
   * persistent mode, the shared one in shared mode; undefined when closed or remote.
   */
  browserPidOf(accountId: string): number | undefined {
    return this.live.get(accountId)?.launched.browserPid;
  }

  /** The fencing token the account's requests carry now (tests and diagnostics). */
  fenceTokenOf(accountId: string): number | undefined {
    return this.live.get(accountId)?.fenceToken;
  }

  /** Idempotent. Leaves no browser on this worker's profiles, even one a failed step lost track of. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.hibernation.stop();
      await Promise.allSettled([...this.opening.values()]);
      await Promise.allSettled([...this.live.keys()].map((id) => this.closeContext(id)));
      await Promise.allSettled([...this.closingAccounts.values()]);
      await this.launcher.close();
    })();
    return this.closing;
  }
}
