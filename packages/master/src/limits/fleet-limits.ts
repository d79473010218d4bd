import {
  FleetError,
  type AccountView,
  type JobView,
  type LimitListView,
  type PutLimitBody,
  type RateLimitRule,
  type RateLimitScope,
} from '@fleetwright/shared';
import type { FleetBackend } from '../store/backend/fleet-backend.js';
import type { LimitRecord, PauseRecord } from '../store/backend/limits-backend.js';
import { LimitCounter } from './limit-counter.js';
import { LimitRules, type LimitedAccount } from './limit-rules.js';
import { limitView, pauseView } from './limit-views.js';
import { LimitWakeTimer } from './limit-wake-timer.js';

export type { LimitedAccount } from './limit-rules.js';

/** What holds a job: the limit's (or pause's) name, and when the job is next eligible (null: once a job under a concurrency cap ends). */
export interface LimitHold {
  limit: string;
  until: number | null;
}

/** What the limits ask of the scheduler. */
export interface LimitHooks {
  /** A pass: a hold may have ended. */
  schedule(): void;
  /** Limits changed: every hold may have ended, so what waits for one is looked at again (and a pass follows). */
  limitsChanged(): void;
  /** Announces a job's progress (its `held` step). */
  progressed(view: JobView): Promise<void>;
}

/** A pool pick's filter for one job (see `FleetLimits.poolFilter`). */
export interface PoolLimitFilter {
  /**
   * Set when an earlier pick of this pass found every account of the pool held for this job type:
   * the hold, so the pool is not walked again (within a pass accounts only get busier).
   */
  readonly exhausted: LimitHold | undefined;
  allows(account: LimitedAccount): boolean;
  /** The hold that turned an account away, with the soonest end; undefined if none did. */
  hold: LimitHold | undefined;
}

/**
 * The fleet's limits in force, and their counts, in memory: operators' limits (per account, pool
 * or platform and job type), the plugins' declared defaults (per account and per platform; an
 * operator's limit of the same scope replaces them), and the scopes a platform throttled. A check
 * reads no rows: its counters are rebuilt from the store when the master starts or a limit
 * changes (the jobs' run times and statuses), then kept by the dispatches and job moves the
 * scheduler reports. Every change runs inside a decision (see DecisionQueue); the views read.
 */
export class FleetLimits {
  private readonly rules: LimitRules;
  /** Pauses by `<scope>:<target>`. */
  private readonly pauses = new Map<string, PauseRecord>();
  private readonly counters = new Map<string, LimitCounter>();
  /** Per dispatched or running job: the counters it is active on. */
  private readonly activeOf = new Map<string, string[]>();
  /** Queued jobs a limit holds, with what holds them. */
  private readonly held = new Map<string, LimitHold>();
  private capabilitiesStale = true;
  /** Whether this master leads and keeps the limits' state (`start`), or reads it from the store. */
  private loaded = false;
  /** Pools and job types (`<pool>|<type>`) this pass found held on every account, with the hold. */
  private exhaustedPools = new Map<string, LimitHold>();
  /** A pass when a hold or a pause ends. */
  private readonly wakes: LimitWakeTimer;

  constructor(
    private readonly store: FleetBackend,
    private readonly hooks: LimitHooks,
  ) {
    this.rules = new LimitRules(store);
    this.wakes = new LimitWakeTimer(() => hooks.schedule());
  }

  /** Reads the limits and pauses, and rebuilds the counts (a master's start, or taking the lead). */
  async start(now = Date.now()): Promise<void> {
    this.loaded = true;
    await this.rules.load();
    this.pauses.clear();
    for (const pause of await this.store.limits.pauses(now)) this.pauses.set(`${pause.scope}:${pause.target}`, pause);
    this.held.clear();
    this.capabilitiesStale = false;
    await this.rules.loadDefaults();
    await this.rebuild(now);
    for (const pause of this.pauses.values()) this.wakes.at(pause.until);
  }

  close(): void {
    this.wakes.close();
  }

  /** Workers (re)registered: their plugins' defaults are read again before the next check. */
  capabilitiesChanged(): void {
    this.capabilitiesStale = true;
  }

  /** Brings defaults and pool memberships up to date (the start of a dispatch pass). */
  async prepare(now: number): Promise<void> {
    this.exhaustedPools = new Map();
    for (const [key, pause] of this.pauses) if (pause.until <= now) this.pauses.delete(key);
    if (this.capabilitiesStale) {
      this.capabilitiesStale = false;
      if (await this.rules.loadDefaults()) await this.rebuild(now);
    }
    await this.rules.refreshStaleAccounts();
  }

  /** What holds a job of `type` from starting on `account` now, if anything does. */
  check(type: string, account: LimitedAccount, now: number): LimitHold | undefined {
    if (!this.rules.any && this.pauses.size === 0) return undefined;
    let hold = this.pauseOf(`account:${account.id}`, now) ?? this.pauseOf(`platform:${account.platform}`, now);
    for (const { key, name, rule } of this.rules.applicable(type, account)) {
      const counter = this.counters.get(key);
      if (!counter) continue;
      let until: number | null | undefined;
      if (rule.concurrency !== undefined && counter.active.size >= rule.concurrency) until = null;
      if (rule.max !== undefined && rule.windowMs !== undefined) {
        const count = counter.inWindow(now);
        if (count >= rule.max) until = later(until, counter.nextStartAt(count, rule.max));
      }
      // The latest known end wins: a job cannot go before it, and a hold with no known end is looked at again each pass.
      if (until !== undefined && (!hold || later(hold.until, until) !== hold.until)) hold = { limit: name, until };
    }
    return hold;
  }

  /** A filter for a pool job's pick: accounts whose limits allow it; remembers what turned the others away. */
  poolFilter(pool: string, type: string, now: number): PoolLimitFilter {
    const filter: PoolLimitFilter = {
      exhausted: this.exhaustedPools.get(`${pool}|${type}`),
      hold: undefined,
      allows: (account) => {
        const hold = this.check(type, account, now);
        if (!hold) return true;
        if (!filter.hold || (hold.until !== null && (filter.hold.until === null || hold.until < filter.hold.until))) filter.hold = hold;
        return false;
      },
    };
    return filter;
  }

  /** A pool pick with `filter` found no account, and limits turned some away: the pool is held for the type for the rest of the pass. */
  poolHeld(pool: string, type: string, hold: LimitHold): void {
    this.exhaustedPools.set(`${pool}|${type}`, hold);
  }

  /** The job starts on `account` now: counted on every limit that applies to it. Returns whether a limit held it before. */
  started(jobId: string, type: string, account: LimitedAccount): boolean {
    const wasHeld = this.held.delete(jobId);
    if (!this.rules.any) return wasHeld;
    const keys: string[] = [];
    for (const { key, rule } of this.rules.applicable(type, account)) {
      this.counter(key, rule).started(jobId);
      keys.push(key);
    }
    if (keys.length > 0) this.activeOf.set(jobId, keys);
    return wasHeld;
  }

  /**
   * A queued job is held: remembered for its view, announced as its `held` step when the hold is
   * new, and a pass is due when the hold ends.
   */
  async hold(jobId: string, hold: LimitHold): Promise<void> {
    if (hold.until !== null) this.wakes.at(hold.until);
    const known = this.held.get(jobId);
    if (known && known.limit === hold.limit && known.until === hold.until) return;
    this.held.set(jobId, hold);
    if (known && known.limit === hold.limit) return;
    const when = hold.until === null ? 'until a job under it ends' : `until ${new Date(hold.until).toISOString()}`;
    const row = await this.store.jobs.setProgress(jobId, 0, 'held', `held by ${hold.limit} ${when}`);
    await this.hooks.progressed(await this.store.jobs.view(row));
  }

  /** A job moved: one no longer running leaves its concurrency counts; one no longer queued is no longer held. */
  jobChanged(view: Pick<JobView, 'id' | 'status'>): void {
    if (view.status !== 'dispatched' && view.status !== 'running') {
      const keys = this.activeOf.get(view.id);
      if (keys) {
        this.activeOf.delete(view.id);
        const now = Date.now();
        for (const key of keys) this.counters.get(key)?.ended(view.id, now);
      }
    }
    if (view.status !== 'queued') this.held.delete(view.id);
  }

  /** The platform throttled `scope` (an account's id, or a platform): its jobs wait until `until`. */
  async pause(scope: RateLimitScope, target: string, until: number, reason: string | null): Promise<PauseRecord> {
    const pause = await this.store.limits.pause(scope, target, until, reason);
    this.pauses.set(`${scope}:${target}`, pause);
    this.wakes.at(pause.until);
    return pause;
  }

  /** Sets an operator's limit; it applies from the next pass on, counting the starts already in its window. */
  async put(body: PutLimitBody): Promise<LimitRecord> {
    const limit = await this.store.limits.put(body);
    await this.rules.set(limit);
    await this.limitsChanged();
    return limit;
  }

  async delete(id: string): Promise<void> {
    if (!(await this.store.limits.delete(id))) throw new FleetError('NOT_FOUND', `no limit ${id}`, { field: 'id' });
    await this.rules.remove(id);
    await this.limitsChanged();
  }

  /** The limits, defaults and pauses this master keeps (the leader's; `GET /limits` reads limits and pauses from the store). */
  list(now = Date.now()): LimitListView {
    const pauses = [...this.pauses.values()].filter((p) => p.until > now).map(pauseView);
    return { items: this.rules.operatorLimits().map(limitView), defaults: this.rules.declaredDefaults(), pauses };
  }

  /** The job's view with what holds it, when it is queued and held. */
  jobView(view: JobView): JobView {
    const hold = view.status === 'queued' ? this.held.get(view.id) : undefined;
    return hold ? { ...view, heldBy: { limit: hold.limit, until: hold.until === null ? null : new Date(hold.until).toISOString() } } : view;
  }

  /**
   * The accounts' views with when their pause (their own, or their platform's) ends. A master that
   * does not lead keeps no pauses in memory: it reads them from the store.
   */
  async accountViews(views: AccountView[], now = Date.now()): Promise<AccountView[]> {
    const pauses = this.loaded ? this.pauses : new Map((await this.store.limits.pauses(now)).map((p) => [`${p.scope}:${p.target}`, p]));
    const untilOf = (key: string): number => {
      const until = pauses.get(key)?.until ?? 0;
      return until > now ? until : 0;
    };
    return views.map((view) => {
      const until = Math.max(untilOf(`account:${view.id}`), untilOf(`platform:${view.platform}`));
      return { ...view, pausedUntil: until > 0 ? new Date(until).toISOString() : null };
    });
  }

  /** This master stopped leading: what it holds in memory is no longer kept up to date. */
  unload(): void {
    this.loaded = false;
    this.close();
  }

  /** Queued jobs held now, by the limit that holds them (metrics). */
  heldByLimit(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const { limit } of this.held.values()) counts.set(limit, (counts.get(limit) ?? 0) + 1);
    return counts;
  }

  /** Pauses in force, by scope (metrics). */
  pausesByScope(now = Date.now()): Map<RateLimitScope, number> {
    const counts = new Map<RateLimitScope, number>([
      ['account', 0],
      ['platform', 0],
    ]);
    for (const pause of this.pauses.values()) if (pause.until > now) counts.set(pause.scope, counts.get(pause.scope)! + 1);
    return counts;
  }

  private async limitsChanged(): Promise<void> {
    this.held.clear();
    await this.rebuild(Date.now());
    this.hooks.limitsChanged();
  }

  private pauseOf(key: string, now: number): LimitHold | undefined {
    const pause = this.pauses.get(key);
    if (!pause) return undefined;
    if (pause.until > now) return { limit: `pause:${key}`, until: pause.until };
    this.pauses.delete(key);
    return undefined;
  }

  /** The key's counter, made for its rule (a rule change rebuilds every counter). */
  private counter(key: string, rule: RateLimitRule): LimitCounter {
    let counter = this.counters.get(key);
    if (!counter) this.counters.set(key, (counter = new LimitCounter(rule.max !== undefined ? rule.windowMs : undefined)));
    return counter;
  }

  /** Counts again, from the store: the jobs that ended inside the longest window in force, and those running now. */
  private async rebuild(now: number): Promise<void> {
    this.counters.clear();
    this.activeOf.clear();
    if (!this.rules.any) return;
    const windowMs = this.rules.longestWindowMs();
    if (windowMs > 0) {
      for (const run of await this.store.limits.endedSince(now - windowMs))
        for (const { key, rule } of this.rules.applicable(run.type, { id: run.accountId, platform: run.platform })) this.counter(key, rule).endedAt(run.at);
    }
    for (const job of await this.store.limits.active()) {
      const rules = this.rules.applicable(job.type, { id: job.accountId, platform: job.platform });
      for (const { key, rule } of rules) this.counter(key, rule).started(job.jobId);
      const keys = rules.map(({ key }) => key);
      if (keys.length > 0) this.activeOf.set(job.jobId, keys);
    }
  }
}

/** The later of two ends, where null is an end not known yet (it comes with a job's end) and loses to a known one. */
function later(a: number | null | undefined, b: number | null): number | null {
  if (a === undefined || a === null) return b;
  return b === null ? a : Math.max(a, b);
}
