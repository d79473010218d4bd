import { randomUUID } from 'node:crypto';
import {
  ACCOUNT_STEPS,
  FleetError,
  maskProxyUrl,
  registerSecret,
  type AccountStep,
  type AccountView,
  type CreateAccountBody,
  type DeviceProfile,
  type Page,
  type StepStatus,
  type StorageState,
  type UpdateAccountBody,
} from '@fleetwright/shared';
import type { AccountsBackend } from '../backend/accounts-backend.js';
import type {
  AccountChangeListener,
  AccountOwnership,
  AccountRow,
  AccountSecrets,
  BrowserStateSource,
  PoolMembership,
  UnownedAccount,
} from '../backend/records.js';
import type { SecretBox } from '../secret-box.js';
import type { ClientScope } from './client-scope.js';
import { editedCredentials, openAccountSecrets, sealCredentials, sealProxy, sealStorageState } from '../backend/account-secrets.js';
import { accountView } from '../backend/record-views.js';

const OWNERSHIP_COLUMNS = 'id, platform, owner_worker_id, epoch';

/** AccountsBackend on PostgreSQL: secrets sealed with the master's SecretBox, as in SQLite. */
export class PostgresAccounts implements AccountsBackend {
  private readonly changeListeners: AccountChangeListener[] = [];

  constructor(
    private readonly scope: ClientScope,
    private readonly secrets: SecretBox,
    private readonly browsers: BrowserStateSource,
  ) {}

  async create(body: CreateAccountBody): Promise<AccountView> {
    const id = randomUUID();
    const now = Date.now();
    registerSecret(body.credentials?.password);
    const tags = body.tags ?? [];
    const row = await this.scope.row<AccountRow>(
      `WITH created AS (
         INSERT INTO accounts (id, platform, label, tags, username, credentials_sealed, proxy_sealed, proxy_masked, device_profile, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)
         RETURNING *
       ), tagged AS (
         INSERT INTO account_tags (account_id, tag) SELECT DISTINCT $1::text, tag FROM unnest($11::text[]) AS tag
       )
       SELECT * FROM created`,
      [
        id,
        body.platform,
        body.label ?? null,
        JSON.stringify(tags),
        body.credentials?.username ?? null,
        body.credentials ? sealCredentials(this.secrets, id, body.credentials) : null,
        body.proxy ? sealProxy(this.secrets, id, body.proxy) : null,
        body.proxy ? maskProxyUrl(body.proxy) : null,
        body.deviceProfile ? JSON.stringify(body.deviceProfile) : null,
        now,
        tags,
      ],
    );
    this.changed(id);
    return this.view(row!);
  }

  /** Applies a PATCH in one transaction; blank secrets keep the stored ones. */
  async update(id: string, body: UpdateAccountBody): Promise<AccountView> {
    await this.scope.transaction(async () => {
      // Locked: a concurrent edit of the credentials waits, so a blank password keeps the newest one.
      const row = await this.scope.row<AccountRow>('SELECT * FROM accounts WHERE id = $1 FOR UPDATE', [id]);
      if (!row) throw new FleetError('ACCOUNT_NOT_FOUND', `no account ${id}`, { field: 'id' });
      const sets: string[] = [];
      const params: unknown[] = [id, Date.now()];
      const set = (column: string, value: unknown): void => {
        params.push(value);
        sets.push(`${column} = $${params.length}`);
      };
      if (body.label !== undefined) set('label', body.label);
      if (body.tags !== undefined) {
        set('tags', JSON.stringify(body.tags));
        await this.scope.changes('DELETE FROM account_tags WHERE account_id = $1', [id]);
        await this.scope.changes('INSERT INTO account_tags (account_id, tag) SELECT DISTINCT $1::text, tag FROM unnest($2::text[]) AS tag', [id, body.tags]);
      }
      if (body.credentials) {
        const credentials = editedCredentials(this.secretsOf(row).credentials, body.credentials);
        set('username', credentials.username);
        set('credentials_sealed', sealCredentials(this.secrets, id, credentials));
      }
      if (body.proxy === null) sets.push('proxy_sealed = NULL', 'proxy_masked = NULL');
      else if (body.proxy) {
        set('proxy_sealed', sealProxy(this.secrets, id, body.proxy));
        set('proxy_masked', maskProxyUrl(body.proxy));
      }
      if (body.deviceProfile !== undefined) set('device_profile', body.deviceProfile ? JSON.stringify(body.deviceProfile) : null);
      if (sets.length > 0) await this.scope.changes(`UPDATE accounts SET ${sets.join(', ')}, updated_at = $2 WHERE id = $1`, params);
    });
    if (body.tags !== undefined) this.changed(id);
    return this.get(id);
  }

  /** Deletes the account; its finished jobs stay in history without the link. */
  async delete(id: string): Promise<void> {
    await this.scope.transaction(async () => {
      await this.scope.changes('UPDATE jobs SET account_id = NULL WHERE account_id = $1', [id]);
      if ((await this.scope.changes('DELETE FROM accounts WHERE id = $1', [id])) === 0)
        throw new FleetError('ACCOUNT_NOT_FOUND', `no account ${id}`, { field: 'id' });
    });
    this.browsers.forget(id);
    this.changed(id);
  }

  onChange(listener: AccountChangeListener): void {
    this.changeListeners.push(listener);
  }

  private changed(id: string): void {
    for (const listener of this.changeListeners) listener(id);
  }

  row(id: string): Promise<AccountRow | undefined> {
    return this.scope.row<AccountRow>('SELECT * FROM accounts WHERE id = $1', [id]);
  }

  async require(id: string, field = 'accountId'): Promise<AccountRow> {
    const row = await this.row(id);
    if (!row) throw new FleetError('ACCOUNT_NOT_FOUND', `no account ${id}`, { field });
    return row;
  }

  async ownership(id: string, field = 'accountId'): Promise<AccountOwnership> {
    const row = await this.ownershipOf(id);
    if (!row) throw new FleetError('ACCOUNT_NOT_FOUND', `no account ${id}`, { field });
    return row;
  }

  ownershipOf(id: string): Promise<AccountOwnership | undefined> {
    return this.scope.row<AccountOwnership>(`SELECT ${OWNERSHIP_COLUMNS} FROM accounts WHERE id = $1`, [id]);
  }

  async get(id: string): Promise<AccountView> {
    return this.view(await this.require(id, 'id'));
  }

  async list(limit: number, cursor?: string): Promise<Page<AccountView>> {
    const after = cursor ? Number(cursor) : 0;
    const rows = await this.scope.rows<AccountRow>('SELECT * FROM accounts WHERE seq > $1 ORDER BY seq LIMIT $2', [
      Number.isFinite(after) ? after : 0,
      limit + 1,
    ]);
    const page = rows.slice(0, limit);
    return { items: page.map((r) => this.view(r)), nextCursor: rows.length > limit ? String(page.at(-1)!.seq) : null };
  }

  unowned(): Promise<UnownedAccount[]> {
    return this.scope.rows<UnownedAccount>('SELECT id, platform FROM accounts WHERE owner_worker_id IS NULL ORDER BY seq');
  }

  ownedBy(workerId: string): Promise<AccountOwnership[]> {
    return this.scope.rows<AccountOwnership>(`SELECT ${OWNERSHIP_COLUMNS} FROM accounts WHERE owner_worker_id = $1 ORDER BY seq`, [workerId]);
  }

  async idsOwnedBy(workerId: string): Promise<string[]> {
    return (await this.scope.rows<{ id: string }>('SELECT id FROM accounts WHERE owner_worker_id = $1 ORDER BY seq', [workerId])).map((r) => r.id);
  }

  ownerships(): Promise<AccountOwnership[]> {
    return this.scope.rows<AccountOwnership>(`SELECT ${OWNERSHIP_COLUMNS} FROM accounts WHERE owner_worker_id IS NOT NULL ORDER BY seq`);
  }

  async ownedWithTags(): Promise<(AccountOwnership & { tags: string[] })[]> {
    const rows = await this.scope.rows<AccountOwnership & { tags: string }>(
      `SELECT ${OWNERSHIP_COLUMNS}, tags FROM accounts WHERE owner_worker_id IS NOT NULL ORDER BY seq`,
    );
    return rows.map((r) => ({ ...r, tags: JSON.parse(r.tags) as string[] }));
  }

  async countOwned(): Promise<number> {
    return (await this.scope.row<{ n: number }>('SELECT COUNT(*) AS n FROM accounts WHERE owner_worker_id IS NOT NULL'))!.n;
  }

  async countOwnedBy(workerId: string): Promise<number> {
    return (await this.scope.row<{ n: number }>('SELECT COUNT(*) AS n FROM accounts WHERE owner_worker_id = $1', [workerId]))!.n;
  }

  async count(): Promise<number> {
    return (await this.scope.row<{ n: number }>('SELECT COUNT(*) AS n FROM accounts'))!.n;
  }

  poolMemberships(): Promise<PoolMembership[]> {
    return this.scope.rows<PoolMembership>('SELECT t.tag AS pool, a.seq, a.id FROM account_tags t JOIN accounts a ON a.id = t.account_id ORDER BY a.seq');
  }

  poolMembershipsOf(id: string): Promise<PoolMembership[]> {
    return this.scope.rows<PoolMembership>('SELECT t.tag AS pool, a.seq, a.id FROM accounts a JOIN account_tags t ON t.account_id = a.id WHERE a.id = $1', [
      id,
    ]);
  }

  async poolTags(): Promise<string[]> {
    return (await this.scope.rows<{ tag: string }>('SELECT tag FROM account_tags GROUP BY tag ORDER BY tag COLLATE "C"')).map((r) => r.tag);
  }

  async platformsOf(ids: readonly string[]): Promise<Map<string, string>> {
    const rows = await this.scope.rows<{ id: string; platform: string }>('SELECT id, platform FROM accounts WHERE id = ANY($1::text[])', [ids]);
    return new Map(rows.map((r) => [r.id, r.platform]));
  }

  async platformsOfPool(pool: string): Promise<string[]> {
    const rows = await this.scope.rows<{ platform: string }>(
      'SELECT DISTINCT a.platform FROM accounts a JOIN account_tags t ON t.account_id = a.id WHERE t.tag = $1',
      [pool],
    );
    return rows.map((r) => r.platform);
  }

  async isInPool(id: string, pool: string): Promise<boolean> {
    return (await this.scope.row('SELECT 1 FROM account_tags WHERE account_id = $1 AND tag = $2', [id, pool])) !== undefined;
  }

  /** One statement: concurrent owner changes each get an epoch of their own. */
  async assignOwner(id: string, workerId: string | null): Promise<AccountOwnership> {
    const row = await this.scope.row<AccountOwnership>(
      `UPDATE accounts SET owner_worker_id = $1, epoch = epoch + 1, updated_at = $2 WHERE id = $3 RETURNING ${OWNERSHIP_COLUMNS}`,
      [workerId, Date.now(), id],
    );
    if (!row) throw new FleetError('ACCOUNT_NOT_FOUND', `no account ${id}`, { field: 'accountId' });
    this.changed(id);
    return row;
  }

  /** Keeps the newest snapshot only: an older or equal version is ignored (returns false). */
  async saveStorageState(id: string, version: number, state: StorageState): Promise<boolean> {
    const sealed = sealStorageState(this.secrets, id, state);
    const changed = await this.scope.changes(
      'UPDATE accounts SET storage_state_sealed = $1, storage_state_version = $2, updated_at = $3 WHERE id = $4 AND storage_state_version < $2',
      [sealed, version, Date.now(), id],
    );
    return changed > 0;
  }

  async setDeviceProfile(id: string, profile: DeviceProfile): Promise<AccountRow> {
    const row = await this.scope.row<AccountRow>('UPDATE accounts SET device_profile = $1, updated_at = $2 WHERE id = $3 RETURNING *', [
      JSON.stringify(profile),
      Date.now(),
      id,
    ]);
    if (!row) throw new FleetError('ACCOUNT_NOT_FOUND', `no account ${id}`, { field: 'accountId' });
    return row;
  }

  async setStepStatus(id: string, step: AccountStep, status: StepStatus): Promise<void> {
    // Column names come from the closed ACCOUNT_STEPS list, never from input.
    if (!ACCOUNT_STEPS.includes(step)) throw new FleetError('INTERNAL_ERROR', `unknown step ${step}`);
    await this.scope.changes(`UPDATE accounts SET ${step}_status = $1, ${step}_updated_at = $2, updated_at = $2 WHERE id = $3`, [status, Date.now(), id]);
  }

  secretsOf(row: AccountRow): AccountSecrets {
    return openAccountSecrets(this.secrets, row);
  }

  view(row: AccountRow): AccountView {
    return accountView(row, this.browsers.view(row.id));
  }
}
