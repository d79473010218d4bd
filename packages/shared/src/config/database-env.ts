import { configError, readInt, readUrl, readVar, type Env } from './env-reader.js';

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

/** Masters sharing one PostgreSQL database: each one's name, and how long the leader lease lasts. */
export interface MastersConfig {
  /** `FLEET_MASTER_ID`: 1–128 letters, digits, `_ . : -`. @defaultValue host-pid-random */
  masterId: string | undefined;
  /** `FLEET_LEADER_LEASE_MS`: a dead leader is replaced within about this. @defaultValue 6000 */
  leaderLeaseMs: number;
  /** `FLEET_MASTER_PUBLIC_URL`: where the other masters reach this one. @defaultValue http://<host>:<port> */
  publicUrl: string | undefined;
}

export function readMastersConfig(env: Env): MastersConfig {
  const id = readVar(env, 'FLEET_MASTER_ID');
  if (id && !/^[A-Za-z0-9_.:-]{1,128}$/.test(id.value)) throw configError('FLEET_MASTER_ID', 'must be 1-128 letters, digits, _ . : -', id.value);
  return {
    masterId: id?.value,
    leaderLeaseMs: readInt(env, 'FLEET_LEADER_LEASE_MS', 6000, { min: 500, max: 600_000 }),
    publicUrl: readUrl(env, 'FLEET_MASTER_PUBLIC_URL', ['http:', 'https:']),
  };
}
