import Database from 'better-sqlite3';
import { quoteIdentifier } from './quote-identifier.js';
import { StoreMigrationRefused } from './store-migration-refused.js';

type Row = unknown[];

/**
 * master.db opened for the copy and held exclusively until `close()`: one snapshot is copied, and
 * no master can open the file meanwhile. A master that has it open (even idle: every connection
 * to a WAL database keeps a shared lock) makes the open fail at once.
 */
export class SqliteSource {
  private constructor(private readonly db: Database.Database) {}

  static open(file: string): SqliteSource {
    const db = new Database(file, { fileMustExist: true });
    try {
      db.pragma('busy_timeout = 0');
      db.pragma('locking_mode = EXCLUSIVE');
      db.exec('BEGIN EXCLUSIVE');
    } catch (error) {
      db.close();
      if ((error as { code?: string }).code?.startsWith('SQLITE_BUSY'))
        throw new StoreMigrationRefused('source-in-use', `${file} is in use by another process: stop the master on this data dir first`);
      throw error;
    }
    return new SqliteSource(db);
  }

  /** The latest applied migration, or 0 for a file that has none. */
  schemaVersion(): number {
    const known = this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
    if (!known) return 0;
    return (this.db.prepare('SELECT MAX(version) AS version FROM schema_migrations').get() as { version: number | null }).version ?? 0;
  }

  /** Every table, SQLite's internal ones (`sqlite_*`) left out. */
  tables(): string[] {
    return (
      this.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name").all() as {
        name: string;
      }[]
    ).map((r) => r.name);
  }

  columns(table: string): string[] {
    return (this.db.prepare(`PRAGMA table_info(${quoteIdentifier(table)})`).all() as { name: string }[]).map((r) => r.name);
  }

  count(table: string): number {
    return (this.db.prepare(`SELECT COUNT(*) AS n FROM ${quoteIdentifier(table)}`).get() as { n: number }).n;
  }

  /** The highest AUTOINCREMENT value `table` ever handed out (deleted rows included), or 0. */
  sequence(table: string): number {
    const known = this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_sequence'").get();
    if (!known) return 0;
    return (this.db.prepare('SELECT seq FROM sqlite_sequence WHERE name = ?').get(table) as { seq: number } | undefined)?.seq ?? 0;
  }

  /** `table`'s rows as arrays of `columns`, in rowid order (insertion order: parents before children). */
  rows(table: string, columns: string[]): IterableIterator<Row> {
    return this.db
      .prepare(`SELECT ${columns.map(quoteIdentifier).join(', ')} FROM ${quoteIdentifier(table)} ORDER BY rowid`)
      .raw()
      .iterate() as IterableIterator<Row>;
  }

  /** One account's sealed value in `column`, if any account has one. */
  firstSealed(column: 'credentials_sealed' | 'proxy_sealed' | 'storage_state_sealed'): { id: string; sealed: string } | undefined {
    return this.db.prepare(`SELECT id, ${column} AS sealed FROM accounts WHERE ${column} IS NOT NULL ORDER BY seq LIMIT 1`).get() as
      | { id: string; sealed: string }
      | undefined;
  }

  /** Ends the read and lets the file go (it was never written). */
  close(): void {
    if (!this.db.open) return;
    if (this.db.inTransaction) this.db.exec('ROLLBACK');
    this.db.close();
  }
}
