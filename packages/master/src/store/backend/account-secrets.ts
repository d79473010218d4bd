import { FleetError, registerSecret, type Credentials, type StorageState, type UpdateAccountBody } from '@fleetwright/shared';
import type { SecretBox } from '../secret-box.js';
import type { AccountRow, AccountSecrets } from './records.js';

/**
 * An account's secrets as every engine seals them: each value is bound to its account and column
 * (`account:<id>:<column>`), so a sealed value copied to another row or column does not open.
 */
type SealedColumn = 'credentials' | 'proxy' | 'storage';

function boundTo(accountId: string, column: SealedColumn): string {
  return `account:${accountId}:${column}`;
}

export function sealCredentials(box: SecretBox, accountId: string, credentials: Credentials): string {
  return box.seal(JSON.stringify(credentials), boundTo(accountId, 'credentials'));
}

export function sealProxy(box: SecretBox, accountId: string, proxyUrl: string): string {
  return box.seal(proxyUrl, boundTo(accountId, 'proxy'));
}

export function sealStorageState(box: SecretBox, accountId: string, state: StorageState): string {
  return box.seal(JSON.stringify(state), boundTo(accountId, 'storage'));
}

export function openAccountSecrets(box: SecretBox, row: AccountRow): AccountSecrets {
  return {
    credentials: row.credentials_sealed ? (JSON.parse(box.open(row.credentials_sealed, boundTo(row.id, 'credentials'))) as Credentials) : null,
    proxy: row.proxy_sealed ? box.open(row.proxy_sealed, boundTo(row.id, 'proxy')) : null,
    storageState: row.storage_state_sealed ? (JSON.parse(box.open(row.storage_state_sealed, boundTo(row.id, 'storage'))) as StorageState) : null,
  };
}

/**
 * The login an edit leaves (blank fields keep the stored ones), its password registered for
 * redaction; VALIDATION_FAILED when it would lack a username or a password.
 */
export function editedCredentials(current: Credentials | null, edit: NonNullable<UpdateAccountBody['credentials']>): Credentials {
  const username = edit.username ?? current?.username;
  const password = edit.password ? edit.password : current?.password;
  if (!username || !password)
    throw new FleetError('VALIDATION_FAILED', 'credentials: a new account login needs both username and password', { field: 'credentials.password' });
  registerSecret(password);
  return { username, password };
}
