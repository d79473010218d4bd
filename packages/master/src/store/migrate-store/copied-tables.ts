/**
 * The tables `migrateStore` copies, in the order it copies them: a table comes after every table
 * its foreign keys point to (accounts after workers, jobs after accounts, job_events and artifacts
 * after jobs). Within a table rows go in SQLite's rowid order, so a parent job (an older row) lands
 * before its children.
 *
 * Columns are not listed: they are read from both schemas. A table is: a new SQLite table must be
 * added here on purpose, or the copy refuses to run rather than leave its rows behind.
 */
export const COPIED_TABLES = [
  'workers',
  'accounts',
  'account_tags',
  'jobs',
  'job_events',
  'artifacts',
  'messages',
  'monitors',
  'api_tokens',
  'refused_reports',
  'refused_report_totals',
  'worker_credentials',
  // A lease names a master of the old store; it has lapsed by the time the copy runs (the master is stopped).
  'leases',
  'lease_fences',
  'masters',
  'rate_limits',
  'rate_limit_pauses',
] as const;

export type CopiedTable = (typeof COPIED_TABLES)[number];

/** Each schema's own bookkeeping: versions are checked, not copied; SQLite's sequences become PostgreSQL's. */
export const SQLITE_BOOKKEEPING_TABLES = ['schema_migrations', 'sqlite_sequence'];
export const POSTGRES_BOOKKEEPING_TABLES = ['schema_migrations'];
