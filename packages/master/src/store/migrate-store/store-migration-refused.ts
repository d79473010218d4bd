/** Why `migrateStore` would not copy (nothing was written to the target's tables). */
export type StoreMigrationRefusal =
  /** master.db is open in another process (a master still running on the data dir). */
  | 'source-in-use'
  /** master.db's schema is not the version this build writes. */
  | 'schema-version'
  /** A SQLite table or column has no place in the copy or in the PostgreSQL schema. */
  | 'unknown-table'
  /** The secret key does not open the sealed secrets in master.db. */
  | 'wrong-key'
  /** The target database already holds rows, tables of something else, or a newer schema. */
  | 'target-not-empty';

/** A refusal with a message that says what was found and what to do. */
export class StoreMigrationRefused extends Error {
  constructor(
    readonly reason: StoreMigrationRefusal,
    message: string,
  ) {
    super(message);
    this.name = 'StoreMigrationRefused';
  }
}
