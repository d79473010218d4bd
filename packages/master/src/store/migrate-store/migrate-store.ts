import { MIGRATIONS } from '../sqlite/migrations.js';
import { COPIED_TABLES, SQLITE_BOOKKEEPING_TABLES } from './copied-tables.js';
import type { MigrateStoreOptions, StoreMigrationProgress, StoreMigrationReport } from './migrate-store-options.js';
import { PostgresTarget, type TargetColumn, type TargetWriter } from './postgres-target.js';
import { checkSecretKey } from './secret-key-check.js';
import { SqliteSource } from './sqlite-source.js';
import { StoreMigrationRefused } from './store-migration-refused.js';

/** A table to copy: its SQLite columns and how many rows it holds. */
interface TableCopy {
  table: string;
  columns: string[];
  rows: number;
}

/**
 * Copies a fleet's SQLite store into an empty PostgreSQL database: the fleet schema applied first
 * (as a master applies it at start), then every row of every table in one PostgreSQL transaction,
 * sealed secrets as they are (the same key opens them on both sides), identity sequences moved
 * past the copied rows. Refuses, before writing a row, a master.db in use
 * or of another schema version, a table the copy does not know, a key that does not open the
 * secrets, and a target that is not empty (StoreMigrationRefused). Artifact files are not copied:
 * their records keep pointing at the files in the data dir.
 */
export async function migrateStore(options: MigrateStoreOptions): Promise<StoreMigrationReport> {
  const started = performance.now();
  const source = SqliteSource.open(options.sqliteFile);
  try {
    checkSchemaVersion(source);
    const plan = planCopy(source);
    const checkedSecrets = checkSecretKey(source, options.secretKey);
    const target = PostgresTarget.connect(options.databaseUrl, options.connectTimeoutMs ?? 10_000);
    try {
      await target.checkBeforeSchema();
      await target.migrate();
      const tables = await target.copy(async (writer) => {
        const found = await writer.nonEmptyTables(COPIED_TABLES);
        if (found.length > 0)
          throw new StoreMigrationRefused(
            'target-not-empty',
            `the target database is not empty: ${found.map((t) => `${t.table} has ${t.rows} row${t.rows === 1 ? '' : 's'}`).join(', ')}; name an empty database`,
          );
        const progress = new ProgressCounter(plan, options.onProgress);
        for (const step of plan) {
          await copyTable(source, writer, step, progress, options);
          progress.tableDone(step);
        }
        return plan.map((step) => ({ table: step.table, rows: step.rows }));
      });
      return { tables, totalRows: tables.reduce((sum, t) => sum + t.rows, 0), ms: Math.round(performance.now() - started), checkedSecrets };
    } finally {
      await target.close();
    }
  } finally {
    source.close();
  }
}

function checkSchemaVersion(source: SqliteSource): void {
  const expected = Math.max(...MIGRATIONS.map((m) => m.version));
  const found = source.schemaVersion();
  if (found < expected)
    throw new StoreMigrationRefused(
      'schema-version',
      `master.db is at schema version ${found}, this build expects ${expected}: start this build's master on it once (it migrates the file at start), stop it, and run the migration again`,
    );
  if (found > expected)
    throw new StoreMigrationRefused(
      'schema-version',
      `master.db is at schema version ${found}, newer than this build's ${expected}: run the migration with the build that wrote it`,
    );
}

/** Every SQLite table in copy order, or a refusal naming the tables the copy does not know. */
function planCopy(source: SqliteSource): TableCopy[] {
  const present = source.tables().filter((t) => !SQLITE_BOOKKEEPING_TABLES.includes(t));
  const known = new Set<string>(COPIED_TABLES);
  const unknown = present.filter((t) => !known.has(t));
  if (unknown.length > 0)
    throw new StoreMigrationRefused(
      'unknown-table',
      `master.db has tables the copy does not know: ${unknown.join(', ')}; nothing was copied (the copy must learn them first: store/migrate-store/copied-tables.ts)`,
    );
  const missing = COPIED_TABLES.filter((t) => !present.includes(t));
  if (missing.length > 0) throw new StoreMigrationRefused('schema-version', `master.db lacks the tables ${missing.join(', ')} of its schema version`);
  return COPIED_TABLES.map((table) => ({ table, columns: source.columns(table), rows: source.count(table) }));
}

async function copyTable(source: SqliteSource, writer: TargetWriter, step: TableCopy, progress: ProgressCounter, options: MigrateStoreOptions): Promise<void> {
  const targetColumns = await writer.columns(step.table);
  const byName = new Map(targetColumns.map((c) => [c.name, c]));
  const columns: TargetColumn[] = step.columns.map((name) => {
    const column = byName.get(name);
    if (!column)
      throw new StoreMigrationRefused('unknown-table', `master.db's column ${step.table}.${name} has no column in the PostgreSQL schema; nothing was copied`);
    return column;
  });
  const batchRows = options.batchRows ?? 5000;
  const batchChars = options.batchChars ?? 8 * 1024 * 1024;
  let batch: unknown[][] = [];
  let chars = 0;
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    try {
      await writer.insert(step.table, columns, batch);
    } catch (error) {
      throw new Error(`copying ${step.table} failed (after ${progress.copiedOf(step.table)} of its ${step.rows} rows): ${(error as Error).message}`, {
        cause: error,
      });
    }
    progress.copiedRows(step, batch.length);
    batch = [];
    chars = 0;
  };
  for (const row of source.rows(step.table, step.columns)) {
    batch.push(row);
    for (const value of row) chars += typeof value === 'string' ? value.length : 8;
    if (batch.length >= batchRows || chars >= batchChars) await flush();
  }
  await flush();
  for (const column of columns.filter((c) => c.identity)) await writer.resetIdentity(step.table, column.name, source.sequence(step.table));
}

/** Counts copied rows and tells the caller's progress callback. */
class ProgressCounter {
  private readonly totalRows: number;
  private readonly perTable = new Map<string, number>();
  private copied = 0;

  constructor(
    plan: TableCopy[],
    private readonly report: ((progress: StoreMigrationProgress) => void) | undefined,
  ) {
    this.totalRows = plan.reduce((sum, step) => sum + step.rows, 0);
  }

  copiedOf(table: string): number {
    return this.perTable.get(table) ?? 0;
  }

  copiedRows(step: TableCopy, rows: number): void {
    this.perTable.set(step.table, this.copiedOf(step.table) + rows);
    this.copied += rows;
    // The last batch of a table is told by tableDone.
    if (this.copiedOf(step.table) < step.rows) this.tell(step);
  }

  tableDone(step: TableCopy): void {
    this.tell(step);
  }

  private tell(step: TableCopy): void {
    this.report?.({
      table: step.table,
      tableCopied: this.copiedOf(step.table),
      tableRows: step.rows,
      copied: this.copied,
      totalRows: this.totalRows,
      percent: this.totalRows === 0 ? 100 : Math.floor((this.copied / this.totalRows) * 1000) / 10,
    });
  }
}
