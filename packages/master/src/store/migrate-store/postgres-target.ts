import pg from 'pg';
import { migratePostgres, POSTGRES_MIGRATIONS } from '../postgres/migrations.js';
import { COPIED_TABLES, POSTGRES_BOOKKEEPING_TABLES } from './copied-tables.js';
import { quoteIdentifier } from './quote-identifier.js';
import { StoreMigrationRefused } from './store-migration-refused.js';

/** A column of the target schema: its name, its type (`udt_name`: text, int8, float8, ...), and whether it is an identity. */
export interface TargetColumn {
  name: string;
  type: string;
  identity: boolean;
}

/**
 * The PostgreSQL side of a migration: one connection, the fleet schema applied the way a master
 * applies it, and the copy in one transaction that holds every fleet table locked, so a master
 * started on the database meanwhile waits for the commit instead of seeing half a fleet.
 */
export class PostgresTarget {
  private constructor(private readonly pool: pg.Pool) {}

  static connect(url: string, connectTimeoutMs: number): PostgresTarget {
    const pool = new pg.Pool({ connectionString: url, max: 1, application_name: 'fleet-migrate-store', connectionTimeoutMillis: connectTimeoutMs });
    // An idle connection that drops would otherwise end the process; the next query reports it.
    pool.on('error', () => undefined);
    return new PostgresTarget(pool);
  }

  /**
   * Refuses a database that holds tables of something else or a fleet schema newer than this
   * build's, before anything is created in it. Rows in the fleet's tables are looked for under the
   * copy's lock (`copy`).
   */
  async checkBeforeSchema(): Promise<void> {
    const tables = (
      await this.pool.query<{ table_name: string }>(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name",
      )
    ).rows.map((r) => r.table_name);
    const ours = new Set<string>([...COPIED_TABLES, ...POSTGRES_BOOKKEEPING_TABLES]);
    const foreign = tables.filter((t) => !ours.has(t));
    if (foreign.length > 0)
      throw new StoreMigrationRefused(
        'target-not-empty',
        `the target database is not empty: it holds tables that are not a fleet's (${foreign.join(', ')}); name an empty database`,
      );
    if (!tables.includes('schema_migrations')) return;
    const newest = Math.max(...POSTGRES_MIGRATIONS.map((m) => m.version));
    const found = Number((await this.pool.query<{ version: string | null }>('SELECT MAX(version) AS version FROM schema_migrations')).rows[0]?.version ?? 0);
    if (found > newest)
      throw new StoreMigrationRefused(
        'target-not-empty',
        `the target database's fleet schema is at version ${found}, newer than this build's ${newest}: it belongs to a newer fleet; name an empty database`,
      );
  }

  /** Applies the fleet schema's pending migrations, as a master does at start. */
  async migrate(): Promise<void> {
    await migratePostgres(this.pool);
  }

  /** Runs `work` in one transaction with every fleet table locked; all of it commits, or none. */
  async copy<T>(work: (writer: TargetWriter) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      try {
        await client.query(`LOCK TABLE ${COPIED_TABLES.map(quoteIdentifier).join(', ')} IN ACCESS EXCLUSIVE MODE`);
        const result = await work(new TargetWriter(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch((rollback: Error) => void (broken = rollback));
        throw error;
      }
    } finally {
      client.release(broken);
    }
  }

  /** Idempotent. */
  close(): Promise<void> {
    return this.pool.ended ? Promise.resolve() : this.pool.end();
  }
}

/** Writes into the target inside the copy's transaction. */
export class TargetWriter {
  constructor(private readonly client: pg.PoolClient) {}

  /** Rows already in each of `tables`, leaving out the empty ones. */
  async nonEmptyTables(tables: readonly string[]): Promise<{ table: string; rows: number }[]> {
    const counts = (
      await this.client.query<Record<string, string>>(`SELECT ${tables.map((t, i) => `(SELECT COUNT(*) FROM ${quoteIdentifier(t)}) AS c${i}`).join(', ')}`)
    ).rows[0]!;
    return tables.map((table, i) => ({ table, rows: Number(counts[`c${i}`]) })).filter((t) => t.rows > 0);
  }

  async columns(table: string): Promise<TargetColumn[]> {
    const rows = (
      await this.client.query<{ column_name: string; udt_name: string; is_identity: string }>(
        'SELECT column_name, udt_name, is_identity FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position',
        [table],
      )
    ).rows;
    return rows.map((r) => ({ name: r.column_name, type: r.udt_name, identity: r.is_identity === 'YES' }));
  }

  /**
   * One INSERT for many rows: each column travels as one array parameter and `unnest` turns the
   * arrays back into rows, so a batch costs as many parameters as the table has columns.
   */
  async insert(table: string, columns: TargetColumn[], rows: unknown[][]): Promise<void> {
    if (rows.length === 0) return;
    const arrays = columns.map((_, i) => rows.map((row) => row[i]));
    const names = columns.map((c) => quoteIdentifier(c.name)).join(', ');
    const unnest = columns.map((c, i) => `$${i + 1}::${quoteIdentifier(c.type)}[]`).join(', ');
    await this.client.query(`INSERT INTO ${quoteIdentifier(table)} (${names}) SELECT * FROM unnest(${unnest})`, arrays);
  }

  /**
   * Moves `column`'s identity sequence past every value used: the highest copied and, since
   * SQLite's AUTOINCREMENT never hands out a number twice, the highest SQLite ever handed out.
   */
  async resetIdentity(table: string, column: string, handedOut: number): Promise<number> {
    const max = Number(
      (await this.client.query<{ max: string | null }>(`SELECT MAX(${quoteIdentifier(column)}) AS max FROM ${quoteIdentifier(table)}`)).rows[0]?.max ?? 0,
    );
    const last = Math.max(max, handedOut);
    const sequence = `pg_get_serial_sequence('${quoteIdentifier(table).replaceAll("'", "''")}', '${column.replaceAll("'", "''")}')`;
    await this.client.query(last > 0 ? `SELECT setval(${sequence}, $1, true)` : `SELECT setval(${sequence}, 1, false)`, last > 0 ? [last] : []);
    return last + 1;
  }
}
