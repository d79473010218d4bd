/** Kept apart from the command so `fleet help` loads neither SQLite nor PostgreSQL. */
export const MIGRATE_STORE_USAGE =
  'fleet migrate-store --to postgres://… [--data-dir DIR]   (master stopped; copies master.db into an empty PostgreSQL database)';
