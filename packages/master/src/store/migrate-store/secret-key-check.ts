import { open } from '@fleetwright/shared';
import type { SqliteSource } from './sqlite-source.js';
import { StoreMigrationRefused } from './store-migration-refused.js';

/**
 * Each kind of sealed secret, with the associated data it is sealed under (the account stores
 * seal `account:<id>:<kind>`): a value opens only under its own account and column.
 */
const SEALED_COLUMNS = [
  { column: 'credentials_sealed', kind: 'credentials', what: 'credentials' },
  { column: 'proxy_sealed', kind: 'proxy', what: 'proxy' },
  { column: 'storage_state_sealed', kind: 'storage', what: 'browser state' },
] as const;

/**
 * Opens one sealed value of each kind with `key`, as the master on PostgreSQL will have to: the
 * values are copied sealed, so a key that does not open them here would leave every account's
 * secrets unreadable there. Returns how many values it opened.
 */
export function checkSecretKey(source: SqliteSource, key: Buffer): number {
  let checked = 0;
  for (const { column, kind, what } of SEALED_COLUMNS) {
    const sample = source.firstSealed(column);
    if (!sample) continue;
    try {
      open(sample.sealed, key, `account:${sample.id}:${kind}`);
    } catch {
      throw new StoreMigrationRefused(
        'wrong-key',
        `the secret key does not open account ${sample.id}'s sealed ${what}: use the key this fleet's master runs with (FLEET_SECRET_KEY, or secretKey in the data dir's secrets.json)`,
      );
    }
    checked++;
  }
  return checked;
}
