import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS, type Migration } from './migrations.js';

export type Db = Database.Database;

/** Bytes per page of a new database. */
export const PAGE_SIZE = 2048;

/**
 * How hard a commit waits for the disk (`FLEET_DB_SYNCHRONOUS`). In WAL mode, `normal` survives a
 * crash of the process but an OS crash or power loss can lose the last commits (never corrupt
 * the file); `full` syncs the WAL at every commit, so nothing acknowledged is lost even then.
 * docs/RELIABILITY.md has the cost measured with bench:dispatch.
 */
export const DB_SYNCHRONOUS_MODES = ['normal', 'full'] as const;
export type DbSynchronous = (typeof DB_SYNCHRONOUS_MODES)[number];

/** Opens (creating if needed) the master's SQLite file in WAL mode and applies pending migrations. */
export function openDatabase(file: string, migrations: Migration[] = MIGRATIONS, synchronous: DbSynchronous = 'normal'): Db {
  if (file !== ':memory:') {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    // The store holds sealed secrets and token hashes: only the master's user reads it. SQLite gives
    // the -wal and -shm files the database file's mode, so the file is made 0600 before it opens.
    closeSync(openSync(file, 'a', 0o600));
    chmodSync(file, 0o600);
  }
  const db = new Database(file);
  // Takes effect only while the file is still empty (a new fleet); an existing one keeps its size.
  // A job's life rewrites many pages of small rows and index entries: smaller pages make its
  // writes and checkpoints cheaper for a slightly slower scan (figures: docs/PERFORMANCE.md).
  db.pragma(`page_size = ${PAGE_SIZE}`);
  db.pragma('journal_mode = WAL');
  // A -wal or -shm left by an older master keeps its mode: tighten it too.
  if (file !== ':memory:') for (const extra of [`${file}-wal`, `${file}-shm`]) if (existsSync(extra)) chmodSync(extra, 0o600);
  db.pragma(`synchronous = ${synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  // Each decision runs in a savepoint of its batch's transaction, and a savepoint keeps the pages it
  // changes in a sub-journal: in memory rather than a temp file (figures: docs/PERFORMANCE.md).
  db.pragma('temp_store = MEMORY');
  migrate(db, migrations);
  cacheStatements(db);
  return db;
}

/**
 * Compiling SQL costs more than running it here (profiled: 16 % of the master's CPU under load), so
 * each distinct statement is prepared once and reused. The stores never iterate a statement while
 * running it again, which is what reuse would break.
 */
function cacheStatements(db: Db): void {
  const prepare = db.prepare.bind(db);
  const cache = new Map<string, Database.Statement>();
  db.prepare = ((source: string) => {
    let statement = cache.get(source);
    if (!statement) {
      statement = prepare(source);
      if (cache.size > 1000) cache.clear();
      cache.set(source, statement);
    }
    return statement;
  }) as Db['prepare'];
}

const runners = new WeakMap<Db, (write: () => unknown) => unknown>();

/**
 * Runs `write` as one transaction, like `db.transaction(write)()`, but without building a new
 * transaction function per call (better-sqlite3 builds four wrapped variants each time). Inside an
 * open transaction it runs `write` as part of it, with no savepoint of its own: the caller's
 * transaction (a decision's savepoint) undoes it if it throws. A savepoint nested in another
 * copies every page it touches into the statement journal again, which made a decision's writes
 * cost about twice their own (docs/PERFORMANCE.md, session 9).
 */
export function atomically<T>(db: Db, write: () => T): T {
  if (db.inTransaction) return write();
  let run = runners.get(db);
  if (!run) runners.set(db, (run = db.transaction((w: () => unknown) => w())));
  return run(write) as T;
}

export function migrate(db: Db, migrations: Migration[]): number[] {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
  const applied = new Set((db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version));
  const ran: number[] = [];
  for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
    if (applied.has(migration.version)) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(migration.version, migration.name, Date.now());
    })();
    ran.push(migration.version);
  }
  return ran;
}
