import { configError, readVar, type Env } from './env-reader.js';

/**
 * `FLEET_DATABASE_URL`: the PostgreSQL database the master keeps its state in
 * (`postgres://user:password@host:5432/db`); undefined: SQLite in the data dir. A bad URL is
 * refused without echoing it, since it may hold a password.
 */
export function readDatabaseUrl(env: Env): string | undefined {
  const found = readVar(env, 'FLEET_DATABASE_URL');
  if (!found || found.value.trim() === '') return undefined;
  const value = found.value.trim();
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw configError('FLEET_DATABASE_URL', 'must be a postgres:// URL (postgres://user:password@host:5432/database), or unset for SQLite in the data dir');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:')
    throw configError('FLEET_DATABASE_URL', `must be a postgres:// URL, not ${url.protocol}// (unset it for SQLite in the data dir)`);
  if (!url.hostname && !url.searchParams.has('host')) throw configError('FLEET_DATABASE_URL', 'names no host');
  return value;
}
