import { randomUUID } from 'node:crypto';
import {
  ACCOUNT_STEPS,
  FleetError,
  maskProxyUrl,
  type AccountStep,
  type AccountView,
  type CreateAccountBody,
  type DeviceProfile,
  type Page,
  type StepStatus,
  type StorageState,
  type UpdateAccountBody,
  registerSecret,
} from '@fleetwright/shared';
import { atomically, type Db } from './database.js';
import type { SecretBox } from '../secret-box.js';
import { editedCredentials, openAccountSecrets, sealCredentials, sealProxy, sealStorageState } from '../backend/account-secrets.js';
import { accountView } from '../backend/record-views.js';
import type {
  AccountChangeListener,
  AccountOwnership,
  AccountRow,
  AccountSecrets,
  BrowserStateSource,
  PoolMembership,
  UnownedAccount,
} from '../backend/records.js';

const OWNERSHIP_COLUMNS = 'id, platform, owner_worker_id, epoch';

export class AccountStore {
  private readonly changeListeners: AccountChangeListener[] = [];

  constructor(
    private readonly db: Db,
    private readonly secrets: SecretBox,
    private readonly browsers: BrowserStateSource,
  ) {}

  create(body: CreateAccountBody): AccountView {
    const id = randomUUID();
    const now = Date.now();
    registerSecret(body.credentials?.password);
    atomically(this.db, () => {
      this.db
        .prepare(
          `INSERT INTO accounts (id, platform, label, tags, username, credentials_sealed, proxy_sealed, proxy_masked, device_profile, created_at, updated_at)
           VALUES (@id, @platform, @label, @tags, @username, @credentials, @proxy, @proxyMasked, @deviceProfile, @now, @now)`,
        )
        .run({
          id,
          platform: body.platform,
          label: body.label ?? null,
          tags: JSON.stringify(body.tags ?? []),
          username: body.credentials?.username ?? null,
          credentials: body.credentials ? sealCredentials(this.secrets, id, body.credentials) : null,
          proxy: body.proxy ? sealProxy(this.secrets, id, body.proxy) : null,
          proxyMasked: body.proxy ? maskProxyUrl(body.proxy) : null,
          deviceProfile: body.deviceProfile ? JSON.stringify(body.deviceProfile) : null,
          now,
        });
      const insertTag = this.db.prepare('INSERT OR IGNORE INTO account_tags (account_id, tag) VALUES (?, ?)');
      for (const tag of body.tags ?? []) insertTag.run(id, tag);
    });
    this.changed(id);
    return this.view(this.row(id)!);
  }

  /** Applies a PATCH in one transaction; blank secrets keep the stored ones. */
  update(id: string, body: UpdateAccountBody): AccountView {
    const row = this.require(id, 'id');
    atomically(this.db, () => {
      const sets: string[] = [];
      const params: Record<string, unknown> = { id, now: Date.now() };
      if (body.label !== undefined) {
        sets.push('label = @label');
        params.label = body.label;
      }
      if (body.tags !== undefined) {
        sets.push('tags = @tags');
        params.tags = JSON.stringify(body.tags);
        this.db.prepare('DELETE FROM account_tags WHERE account_id = ?').run(id);
        const insert = this.db.prepare('INSERT OR IGNORE INTO account_tags (account_id, tag) VALUES (?, ?)');
        for (const tag of body.tags) insert.run(id, tag);
      }
      if (body.credentials) {
        const credentials = editedCredentials(this.secretsOf(row).credentials, body.credentials);
        sets.push('username = @username', 'credentials_sealed = @credentials');
        params.username = credentials.username;
        params.credentials = sealCredentials(this.secrets, id, credentials);
      }
      if (body.proxy === null) sets.push('proxy_sealed = NULL', 'proxy_masked = NULL');
      else if (body.proxy) {
        sets.push('proxy_sealed = @proxy', 'proxy_masked = @proxyMasked');
        params.proxy = sealProxy(this.secrets, id, body.proxy);
        params.proxyMasked = maskProxyUrl(body.proxy);
      }
      if (body.deviceProfile !== undefined) {
        sets.push('device_profile = @deviceProfile');
        params.deviceProfile = body.deviceProfile ? JSON.stringify(body.deviceProfile) : null;
      }
      if (sets.length > 0) this.db.prepare(`UPDATE accounts SET ${sets.join(', ')}, updated_at = @now WHERE id = @id`).run(params);
    });
    if (body.tags !== undefined) this.changed(id);
    return this.get(id);
  }

  /** Deletes the account; its finished jobs stay in history without the link. */
  delete(id: string): void {
    this.require(id, 'id');
    atomically(this.db, () => {
      this.db.prepare('UPDATE jobs SET account_id = NULL WHERE account_id = ?').run(id);
      this.db.prepare('DELETE FROM accounts WHERE id = ?').run(id);
    });
    this.browsers.forget(id);
    this.changed(id);
  }

  /**
   * Calls `listener` after each change of an account's tags, owner or epoch, and after it is
   * created or deleted, so a copy kept in memory (the scheduler's pools) stays current.
   */
  onChange(listener: AccountChangeListener): void {
    this.changeListeners.push(listener);
  }

  private changed(id: string): void {
    for (const listener of this.changeListeners) listener(id);
  }

  row(id: string): AccountRow | undefined {
    return this.db.prepare('SELECT * FROM accounts WHERE id = ?').get(id) as AccountRow | undefined;
  }

  /** Just what ownership checks and dispatch need (no sealed columns): the hot path reads this. */
  ownership(id: string, field = 'accountId'): AccountOwnership {
    const row = this.ownershipOf(id);
    if (!row) throw new FleetError('ACCOUNT_NOT_FOUND', `no account ${id}`, { field });
    return row;
  }

  /** The same, or undefined when there is no such account. */
  ownershipOf(id: string): AccountOwnership | undefined {
    return this.db.prepare(`SELECT ${OWNERSHIP_COLUMNS} FROM accounts WHERE id = ?`).get(id) as AccountOwnership | undefined;
  }

  require(id: string, field = 'accountId'): AccountRow {
    const row = this.row(id);
    if (!row) throw new FleetError('ACCOUNT_NOT_FOUND', `no account ${id}`, { field });
    return row;
  }

  get(id: string): AccountView {
    return this.view(this.require(id, 'id'));
  }

  list(limit: number, cursor?: string): Page<AccountView> {
    const after = cursor ? Number(cursor) : 0;
    const rows = this.db
      .prepare('SELECT * FROM accounts WHERE seq > ? ORDER BY seq LIMIT ?')
      .all(Number.isFinite(after) ? after : 0, limit + 1) as AccountRow[];
    const page = rows.slice(0, limit);
    return { items: page.map((r) => this.view(r)), nextCursor: rows.length > limit ? String(page.at(-1)!.seq) : null };
  }

  /** Accounts that have no owner and can go to a worker of their platform, in creation order. */
  unowned(): UnownedAccount[] {
    return this.db.prepare('SELECT id, platform FROM accounts WHERE owner_worker_id IS NULL ORDER BY seq').all() as UnownedAccount[];
  }

  ownedBy(workerId: string): AccountOwnership[] {
    return this.db.prepare(`SELECT ${OWNERSHIP_COLUMNS} FROM accounts WHERE owner_worker_id = ? ORDER BY seq`).all(workerId) as AccountOwnership[];
  }

  /**
   * Every pool's members (an account is in the pool of each of its tags), in no order. Read from
   * the indexes alone: an account's row holds its sealed storage state.
   */
  poolMemberships(): PoolMembership[] {
    return this.db.prepare('SELECT t.tag AS pool, a.seq, a.id FROM account_tags t JOIN accounts a ON a.id = t.account_id').all() as PoolMembership[];
  }

  /** One account's pools; none when there is no such account. */
  poolMembershipsOf(id: string): PoolMembership[] {
    return this.db
      .prepare('SELECT t.tag AS pool, a.seq, a.id FROM accounts a JOIN account_tags t ON t.account_id = a.id WHERE a.id = ?')
      .all(id) as PoolMembership[];
  }

  /** Owned accounts with their tags (only the columns `/health` counts: whole rows carry sealed states). */
  ownedWithTags(): (AccountOwnership & { tags: string[] })[] {
    const rows = this.db
      .prepare('SELECT id, platform, owner_worker_id, epoch, tags FROM accounts WHERE owner_worker_id IS NOT NULL')
      .all() as (AccountOwnership & {
      tags: string;
    })[];
    return rows.map((r) => ({ ...r, tags: JSON.parse(r.tags) as string[] }));
  }

  countOwned(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM accounts WHERE owner_worker_id IS NOT NULL').get() as { n: number }).n;
  }

  /** Every pool (tag) some account has, in order. */
  poolTags(): string[] {
    return (this.db.prepare('SELECT DISTINCT tag FROM account_tags ORDER BY tag').all() as { tag: string }[]).map((r) => r.tag);
  }

  platformsOf(ids: readonly string[]): Map<string, string> {
    const rows = this.db.prepare('SELECT id, platform FROM accounts WHERE id IN (SELECT value FROM json_each(?))').all(JSON.stringify(ids)) as {
      id: string;
      platform: string;
    }[];
    return new Map(rows.map((r) => [r.id, r.platform]));
  }

  /** The platforms of the pool's accounts (none if no account has the tag). */
  platformsOfPool(pool: string): string[] {
    const rows = this.db.prepare('SELECT DISTINCT a.platform FROM accounts a JOIN account_tags t ON t.account_id = a.id WHERE t.tag = ?').all(pool) as {
      platform: string;
    }[];
    return rows.map((r) => r.platform);
  }

  isInPool(id: string, pool: string): boolean {
    return this.db.prepare('SELECT 1 FROM account_tags WHERE account_id = ? AND tag = ?').get(id, pool) !== undefined;
  }

  idsOwnedBy(workerId: string): string[] {
    return this.db.prepare('SELECT id FROM accounts WHERE owner_worker_id = ?').pluck().all(workerId) as string[];
  }

  /** Every owned account's ownership columns: a narrow read of the whole table. */
  ownerships(): AccountOwnership[] {
    return this.db.prepare(`SELECT ${OWNERSHIP_COLUMNS} FROM accounts WHERE owner_worker_id IS NOT NULL`).all() as AccountOwnership[];
  }

  countOwnedBy(workerId: string): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM accounts WHERE owner_worker_id = ?').get(workerId) as { n: number }).n;
  }

  /** Gives the account a new owner and a new epoch; every earlier epoch's report is now stale. */
  assignOwner(id: string, workerId: string | null): AccountOwnership {
    const row = this.db
      .prepare(`UPDATE accounts SET owner_worker_id = ?, epoch = epoch + 1, updated_at = ? WHERE id = ? RETURNING ${OWNERSHIP_COLUMNS}`)
      .get(workerId, Date.now(), id) as AccountOwnership | undefined;
    if (!row) throw new FleetError('ACCOUNT_NOT_FOUND', `no account ${id}`, { field: 'accountId' });
    this.changed(id);
    return row;
  }

  secretsOf(row: AccountRow): AccountSecrets {
    return openAccountSecrets(this.secrets, row);
  }

  /** Keeps the newest snapshot only: an older or equal version is ignored (returns false). */
  saveStorageState(id: string, version: number, state: StorageState): boolean {
    const sealed = sealStorageState(this.secrets, id, state);
    const res = this.db
      .prepare('UPDATE accounts SET storage_state_sealed = ?, storage_state_version = ?, updated_at = ? WHERE id = ? AND storage_state_version < ?')
      .run(sealed, version, Date.now(), id, version);
    return res.changes > 0;
  }

  setDeviceProfile(id: string, profile: DeviceProfile): AccountRow {
    this.db.prepare('UPDATE accounts SET device_profile = ?, updated_at = ? WHERE id = ?').run(JSON.stringify(profile), Date.now(), id);
    return this.require(id);
  }

  setStepStatus(id: string, step: AccountStep, status: StepStatus): void {
    // Column names come from the closed ACCOUNT_STEPS list, never from input.
    if (!ACCOUNT_STEPS.includes(step)) throw new FleetError('INTERNAL_ERROR', `unknown step ${step}`);
    this.db.prepare(`UPDATE accounts SET ${step}_status = ?, ${step}_updated_at = ?, updated_at = ? WHERE id = ?`).run(status, Date.now(), Date.now(), id);
  }

  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM accounts').get() as { n: number }).n;
  }

  view(row: AccountRow): AccountView {
    return accountView(row, this.browsers.view(row.id));
  }
}
