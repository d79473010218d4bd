import { limitId, type LimitListView, type RateLimitRule } from '@fleetwright/shared';
import type { FleetBackend } from '../store/backend/fleet-backend.js';
import type { LimitRecord } from '../store/backend/limits-backend.js';

/** The account a job would start on. */
export interface LimitedAccount {
  id: string;
  platform: string;
}

/** One rule that applies to a job: the counter it counts on (`<scope>:<target>:<jobType>`), and the name a held job's view shows. */
export interface AppliedRule {
  key: string;
  name: string;
  rule: RateLimitRule;
}

/**
 * Which rules apply to a job: the operators' limits (per account, pool or platform and job type)
 * and the plugins' declared defaults (per account and per platform), an operator's limit of the
 * same scope replacing the plugin's. Kept in memory, with the accounts' memberships of the pools
 * a limit names, so that finding a job's rules reads no rows.
 */
export class LimitRules {
  private readonly operator = new Map<string, LimitRecord>();
  /** Plugins' defaults by `<scope>:<platform>:<jobType>`. */
  private defaults = new Map<string, RateLimitRule>();
  /** Pools some operator limit names, and the accounts' memberships of them. */
  private readonly limitedPools = new Set<string>();
  private readonly poolsOf = new Map<string, string[]>();
  /** Accounts created, deleted or re-tagged since their pools were read. */
  private readonly staleAccounts = new Set<string>();

  constructor(private readonly store: FleetBackend) {
    store.accounts.onChange((accountId) => {
      if (this.limitedPools.size > 0) this.staleAccounts.add(accountId);
    });
  }

  /** Whether any rule is in force (else no job needs counting). */
  get any(): boolean {
    return this.operator.size > 0 || this.defaults.size > 0;
  }

  /** Reads the operators' limits and the pools they name. */
  async load(): Promise<void> {
    this.operator.clear();
    for (const limit of await this.store.limits.list()) this.operator.set(limit.id, limit);
    await this.loadPools();
  }

  async set(limit: LimitRecord): Promise<void> {
    this.operator.set(limit.id, limit);
    await this.loadPools();
  }

  async remove(id: string): Promise<void> {
    this.operator.delete(id);
    await this.loadPools();
  }

  /** The rules that apply to a job of `type` on `account`, each with its counter's key. */
  applicable(type: string, account: LimitedAccount): AppliedRule[] {
    const rules: AppliedRule[] = [];
    const accountKey = limitId('account', account.id, type);
    const accountLimit = this.operator.get(accountKey);
    if (accountLimit) rules.push({ key: accountKey, name: accountKey, rule: accountLimit.rule });
    else {
      const declared = limitId('account', account.platform, type);
      const rule = this.defaults.get(declared);
      if (rule) rules.push({ key: accountKey, name: `plugin:${declared}`, rule });
    }
    if (this.limitedPools.size > 0) {
      for (const pool of this.poolsOf.get(account.id) ?? []) {
        const key = limitId('pool', pool, type);
        const limit = this.operator.get(key);
        if (limit) rules.push({ key, name: key, rule: limit.rule });
      }
    }
    const platformKey = limitId('platform', account.platform, type);
    const platformLimit = this.operator.get(platformKey);
    if (platformLimit) rules.push({ key: platformKey, name: platformKey, rule: platformLimit.rule });
    else {
      const rule = this.defaults.get(platformKey);
      if (rule) rules.push({ key: platformKey, name: `plugin:${platformKey}`, rule });
    }
    return rules;
  }

  /** The longest rate window in force: how far back the counts reach. */
  longestWindowMs(): number {
    let windowMs = 0;
    for (const { rule } of this.operator.values()) windowMs = Math.max(windowMs, rule.windowMs ?? 0);
    for (const rule of this.defaults.values()) windowMs = Math.max(windowMs, rule.windowMs ?? 0);
    return windowMs;
  }

  operatorLimits(): LimitRecord[] {
    return [...this.operator.values()];
  }

  /** The plugins' defaults in force, as `GET /limits` lists them. */
  declaredDefaults(): LimitListView['defaults'] {
    return [...this.defaults].map(([id, rule]) => {
      const [scope, platform, jobType] = id.split(':') as ['account' | 'platform', string, string];
      return { id: `plugin:${id}`, scope, platform, jobType, rule };
    });
  }

  /** Reads the plugins' defaults from the workers' capabilities (an online worker's first); returns whether they changed. */
  async loadDefaults(): Promise<boolean> {
    const workers = (await this.store.workers.all()).sort((a, b) => Number(b.status === 'online') - Number(a.status === 'online'));
    const defaults = new Map<string, RateLimitRule>();
    for (const worker of workers) {
      for (const capability of this.store.workers.capabilitiesOf(worker)) {
        for (const [type, declared] of Object.entries(capability.limits ?? {})) {
          const accountKey = limitId('account', capability.platform, type);
          const platformKey = limitId('platform', capability.platform, type);
          if (declared.account && !defaults.has(accountKey)) defaults.set(accountKey, declared.account);
          if (declared.platform && !defaults.has(platformKey)) defaults.set(platformKey, declared.platform);
        }
      }
    }
    const changed = JSON.stringify([...defaults]) !== JSON.stringify([...this.defaults]);
    this.defaults = defaults;
    return changed;
  }

  /** Reads again the pools of the accounts that changed since. */
  async refreshStaleAccounts(): Promise<void> {
    if (this.staleAccounts.size === 0) return;
    const stale = [...this.staleAccounts];
    this.staleAccounts.clear();
    for (const accountId of stale) {
      const pools = (await this.store.accounts.poolMembershipsOf(accountId)).map((m) => m.pool).filter((pool) => this.limitedPools.has(pool));
      if (pools.length > 0) this.poolsOf.set(accountId, pools);
      else this.poolsOf.delete(accountId);
    }
  }

  /** Which accounts belong to the pools operators limit. */
  private async loadPools(): Promise<void> {
    this.limitedPools.clear();
    for (const limit of this.operator.values()) if (limit.scope === 'pool') this.limitedPools.add(limit.target);
    this.poolsOf.clear();
    this.staleAccounts.clear();
    if (this.limitedPools.size === 0) return;
    for (const { pool, id } of await this.store.accounts.poolMemberships()) {
      if (!this.limitedPools.has(pool)) continue;
      const pools = this.poolsOf.get(id);
      if (pools) pools.push(pool);
      else this.poolsOf.set(id, [pool]);
    }
  }
}
