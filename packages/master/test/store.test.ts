import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { MIGRATIONS, PAGE_SIZE, migrate, openDatabase, type Db } from '@fleetwright/master';

describe('the master store: SQLite with versioned migrations in WAL mode', () => {
  let dir: string;
  let file: string;
  const open: Db[] = [];
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'fleet-store-test-'));
    file = path.join(dir, 'nested', 'master.db');
  });
  afterEach(() => {
    for (const db of open.splice(0)) if (db.open) db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function openDb(): Db {
    const db = openDatabase(file);
    open.push(db);
    return db;
  }

  function appliedMigrations(db: Db): { version: number; name: string; applied_at: number }[] {
    return db.prepare('SELECT version, name, applied_at FROM schema_migrations ORDER BY version').all() as {
      version: number;
      name: string;
      applied_at: number;
    }[];
  }

  it('runs every migration once, in order, and records each version', () => {
    const db = openDb();
    const applied = appliedMigrations(db);
    expect(applied).toEqual(MIGRATIONS.map((m) => ({ version: m.version, name: m.name, applied_at: expect.any(Number) })));
    expect(applied.map((m) => m.version)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((t) => t.name);
    expect(tables).toEqual(
      expect.arrayContaining([
        'accounts',
        'account_tags',
        'jobs',
        'job_events',
        'workers',
        'api_tokens',
        'refused_reports',
        'schema_migrations',
        'monitors',
        'rate_limits',
        'rate_limit_pauses',
      ]),
    );
  });

  it('does not re-run migrations when the same file is opened again', () => {
    const first = openDb();
    const before = appliedMigrations(first);
    first.prepare("INSERT INTO refused_reports (at, worker_id, event, code, detail) VALUES (1, 'w', 'e', 'c', '{}')").run();
    first.close();

    const second = openDb();
    expect(appliedMigrations(second)).toEqual(before);
    // Re-running the schema would have failed on CREATE TABLE, or wiped the row with a fresh table.
    expect((second.prepare('SELECT COUNT(*) AS n FROM refused_reports').get() as { n: number }).n).toBe(1);
    expect(migrate(second, MIGRATIONS)).toEqual([]);
  });

  it('opens the database in WAL journal mode', () => {
    const db = openDb();
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
  });

  it('gives a new database 2 KB pages and leaves an existing database at its own page size, data intact', () => {
    expect(openDb().pragma('page_size', { simple: true })).toBe(PAGE_SIZE);

    const older = path.join(dir, 'older.db');
    const made = new Database(older);
    made.pragma('page_size = 4096');
    made.pragma('journal_mode = WAL');
    made.exec("CREATE TABLE kept (v TEXT); INSERT INTO kept VALUES ('still here');");
    made.close();
    const reopened = openDatabase(older);
    open.push(reopened);
    expect(reopened.pragma('page_size', { simple: true })).toBe(4096);
    expect(reopened.prepare('SELECT v FROM kept').pluck().get()).toBe('still here');
    expect(appliedMigrations(reopened).map((m) => m.version)).toEqual(MIGRATIONS.map((m) => m.version));
  });

  it('rolls back a migration that fails, leaving neither its tables nor its version behind', () => {
    const db = openDb();
    const broken = { version: 999, name: 'broken', sql: 'CREATE TABLE half_done (id TEXT); INSERT INTO no_such_table VALUES (1);' };
    expect(() => migrate(db, [...MIGRATIONS, broken])).toThrow(/no_such_table/);
    expect(appliedMigrations(db).map((m) => m.version)).toEqual(MIGRATIONS.map((m) => m.version));
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'half_done'").get()).toBeUndefined();
  });
});
