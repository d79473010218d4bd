import type { Page } from 'playwright-core';
import { FleetError, type LiveInputCommand, type Logger, type TakeoverHold, type WorkerLiveFrame, type WorkerLiveState } from '@fleetwright/shared';
import { HumanGate } from './human-gate.js';
import { applyInput } from './page-input.js';
import { PageScreencast } from './page-screencast.js';

export interface LiveSessionsOptions {
  /** The account's page when no job runs: its context's keep-alive page. */
  idlePageOf(accountId: string): Page | undefined;
  /** The epoch the account is held under here, for the frames' reports; undefined when not held. */
  epochOf(accountId: string): number | undefined;
  /** Sends a frame to the master and resolves once it took it. */
  sendFrame(frame: WorkerLiveFrame): Promise<void>;
  /** Sends the held sessions and waiting jobs to the master (after each registration). */
  sendState(state: WorkerLiveState): Promise<void>;
  logger: Logger;
}

/**
 * How long after a job's page goes the cast waits before it moves to the keep-alive page: jobs
 * that follow each other then move it from one job's page straight to the next one's.
 */
const IDLE_SWITCH_MS = 1000;

interface AccountLive {
  gate: HumanGate;
  /** The master's note of who holds the session while the gate is held. */
  hold: TakeoverHold | undefined;
  /** The page of the job that runs now, the newest it opened. */
  jobPage: Page | undefined;
  watching: boolean;
  cast: PageScreencast | undefined;
  /** Serializes switching the screencast between pages. */
  switching: Promise<void>;
  idleTimer: NodeJS.Timeout | undefined;
}

/**
 * The live side of each account on this worker: the screencast while someone watches (of the
 * job's page while a job runs, else the keep-alive page), the forwarded input of the person
 * holding the session, and the gate a job waits at while they do.
 */
export class LiveSessions {
  private readonly accounts = new Map<string, AccountLive>();
  private closed = false;

  constructor(private readonly options: LiveSessionsOptions) {}

  gateOf(accountId: string): HumanGate {
    return this.entry(accountId).gate;
  }

  /** A job opened a page: it is what the account shows now. */
  pageOpened(accountId: string, page: Page): void {
    const live = this.entry(accountId);
    live.jobPage = page;
    page.once('close', () => {
      if (live.jobPage !== page) return;
      live.jobPage = undefined;
      this.followSoon(accountId, live);
    });
    this.follow(accountId);
  }

  /** The job's attempt is over: the account shows its keep-alive page again. */
  attemptEnded(accountId: string): void {
    const live = this.accounts.get(accountId);
    if (!live) return;
    live.jobPage = undefined;
    this.followSoon(accountId, live);
  }

  /** Starts or stops the account's screencast; resolves once it did. */
  async setWatching(accountId: string, watching: boolean): Promise<void> {
    const live = this.entry(accountId);
    live.watching = watching && !this.closed;
    await this.follow(accountId);
  }

  isStreaming(accountId: string): boolean {
    return this.accounts.get(accountId)?.cast !== undefined;
  }

  claim(accountId: string, hold?: TakeoverHold): void {
    const live = this.entry(accountId);
    live.gate.claim();
    if (hold) live.hold = hold;
  }

  release(accountId: string): void {
    const live = this.accounts.get(accountId);
    if (!live) return;
    live.hold = undefined;
    live.gate.release();
  }

  /** What a restarted master needs to know again: who holds which session, and which jobs wait for a person. */
  state(): WorkerLiveState {
    const state: WorkerLiveState = { holds: [], waiting: [] };
    for (const [accountId, live] of this.accounts) {
      const epoch = this.options.epochOf(accountId);
      if (epoch === undefined) continue;
      if (live.gate.isHeld && live.hold) state.holds.push({ accountId, epoch, hold: live.hold });
      const pending = live.gate.waiting;
      if (pending && pending.asked.epoch === epoch) {
        const { timeoutMs: _timeoutMs, ...asked } = pending.asked;
        state.waiting.push({ ...asked, expiresAt: new Date(pending.expiresAt).toISOString() });
      }
    }
    return state;
  }

  /** Tells the master what `state()` says; best effort, the next registration tells it again. */
  async reportState(): Promise<void> {
    const state = this.state();
    if (state.holds.length === 0 && state.waiting.length === 0) return;
    await this.options
      .sendState(state)
      .catch((error: unknown) =>
        this.options.logger.warn('could not tell the master the held sessions', { error: error instanceof Error ? error.message : String(error) }),
      );
  }

  /** Replays a person's input on the page the account shows; refused unless a person holds the session. */
  async input(accountId: string, input: LiveInputCommand['input']): Promise<void> {
    const live = this.accounts.get(accountId);
    if (!live?.gate.isHeld) throw new FleetError('CONFLICT', `nobody holds the session of account ${accountId}: claim it first`, { field: 'accountId' });
    const page = this.pageOf(accountId, live);
    if (!page) throw new FleetError('CONFLICT', `account ${accountId} has no open page`, { field: 'accountId' });
    try {
      await applyInput(page, input);
      live.cast?.poke();
    } catch (error) {
      // Playwright's message may quote the key: it must not reach a log, so it is not passed on.
      throw new FleetError('VALIDATION_FAILED', `the page did not take the ${input.type} input`, { field: 'input', cause: error });
    }
  }

  /** The account left this worker (revoked, closed): its screencast stops and a waiting job goes on to its abort. */
  forget(accountId: string): void {
    const live = this.accounts.get(accountId);
    if (!live) return;
    this.accounts.delete(accountId);
    clearTimeout(live.idleTimer);
    void live.cast?.stop();
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const live of this.accounts.values()) clearTimeout(live.idleTimer);
    const casts = [...this.accounts.values()].map((live) => live.cast?.stop());
    this.accounts.clear();
    await Promise.allSettled(casts);
  }

  private entry(accountId: string): AccountLive {
    let live = this.accounts.get(accountId);
    if (!live) {
      live = {
        gate: new HumanGate(),
        hold: undefined,
        jobPage: undefined,
        watching: false,
        cast: undefined,
        switching: Promise.resolve(),
        idleTimer: undefined,
      };
      this.accounts.set(accountId, live);
    }
    return live;
  }

  private pageOf(accountId: string, live: AccountLive): Page | undefined {
    if (live.jobPage && !live.jobPage.isClosed()) return live.jobPage;
    const idle = this.options.idlePageOf(accountId);
    return idle && !idle.isClosed() ? idle : undefined;
  }

  private followSoon(accountId: string, live: AccountLive): void {
    if (!live.watching || live.idleTimer) return;
    live.idleTimer = setTimeout(() => void this.follow(accountId), IDLE_SWITCH_MS);
    live.idleTimer.unref();
  }

  /** Points the screencast at the page the account shows now, or stops it when nobody watches. */
  private follow(accountId: string): Promise<void> {
    const live = this.accounts.get(accountId);
    if (!live) return Promise.resolve();
    clearTimeout(live.idleTimer);
    live.idleTimer = undefined;
    live.switching = live.switching.then(async () => {
      const target = live.watching ? this.pageOf(accountId, live) : undefined;
      if (live.cast?.page === target && (target === undefined || !target.isClosed())) return;
      const previous = live.cast;
      live.cast = undefined;
      await previous?.stop();
      if (!target || !live.watching) return;
      const cast = new PageScreencast(target, (frame) => this.deliver(accountId, frame));
      live.cast = cast;
      try {
        await cast.start(target === live.jobPage);
      } catch (error) {
        // The page closed while the screencast started: the next page change starts it again.
        if (live.cast === cast) live.cast = undefined;
        this.options.logger.debug('screencast did not start', { accountId, error: error instanceof Error ? error.message : String(error) });
      }
    });
    return live.switching;
  }

  private async deliver(accountId: string, frame: { seq: number; data: string; width: number; height: number }): Promise<void> {
    const epoch = this.options.epochOf(accountId);
    if (epoch === undefined) return;
    await this.options.sendFrame({ accountId, epoch, ...frame });
  }
}
