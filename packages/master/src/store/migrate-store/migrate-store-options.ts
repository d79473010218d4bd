/** What `migrateStore` copies from and to. */
export interface MigrateStoreOptions {
  /** The SQLite store to copy (`<dataDir>/master.db`). Only read: it stays as it was. */
  sqliteFile: string;
  /** The PostgreSQL database to copy into (postgres://…): empty, or holding only an empty fleet schema. */
  databaseUrl: string;
  /** The key the fleet's secrets are sealed with (FLEET_SECRET_KEY or `<dataDir>/secrets.json`). */
  secretKey: Buffer;
  /** Told after every batch and at the end of every table. @defaultValue nothing */
  onProgress?: (progress: StoreMigrationProgress) => void;
  /**
   * Rows per INSERT at most.
   * @defaultValue 5000
   */
  batchRows?: number;
  /**
   * Text per INSERT at most, in characters (accounts carry sealed browser states of up to a few MB).
   * @defaultValue 8 MiB
   */
  batchChars?: number;
  /**
   * How long connecting to PostgreSQL may take.
   * @defaultValue 10000
   */
  connectTimeoutMs?: number;
}

/** How far a copy is. */
export interface StoreMigrationProgress {
  table: string;
  /** Rows of `table` copied so far, of `tableRows`. */
  tableCopied: number;
  tableRows: number;
  /** Rows of every table copied so far, of `totalRows`. */
  copied: number;
  totalRows: number;
  /** `copied` of `totalRows`, 0–100 (100 when there is nothing to copy). */
  percent: number;
}

/** What a finished copy wrote. */
export interface StoreMigrationReport {
  /** Every copied table with its rows, in copy order. */
  tables: { table: string; rows: number }[];
  totalRows: number;
  /** Wall time of the whole migration, checks included. */
  ms: number;
  /** Sealed values the key was checked against (one per kind of secret found). */
  checkedSecrets: number;
}
