/**
 * Versioned schema migrations. Append only: a deployed migration is never edited; a change is a
 * new entry. Times are integer milliseconds since the epoch (sortable, no time-zone parsing).
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
CREATE TABLE workers (
  id TEXT PRIMARY KEY,
  host TEXT NOT NULL,
  version TEXT NOT NULL,
  capabilities TEXT NOT NULL DEFAULT '[]',
  max_accounts INTEGER NOT NULL,
  max_concurrency INTEGER NOT NULL,
  max_live_contexts INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('online','draining','offline')),
  last_heartbeat_at INTEGER,
  disconnected_at INTEGER,
  stats TEXT,
  created_at INTEGER NOT NULL
);

CREATE TABLE accounts (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  platform TEXT NOT NULL,
  label TEXT,
  tags TEXT NOT NULL DEFAULT '[]',
  username TEXT,
  credentials_sealed TEXT,
  proxy_sealed TEXT,
  proxy_masked TEXT,
  device_profile TEXT,
  storage_state_sealed TEXT,
  storage_state_version INTEGER NOT NULL DEFAULT 0,
  owner_worker_id TEXT REFERENCES workers(id),
  epoch INTEGER NOT NULL DEFAULT 0,
  login_status TEXT NOT NULL DEFAULT 'not_started',
  login_updated_at INTEGER,
  invite_status TEXT NOT NULL DEFAULT 'not_started',
  invite_updated_at INTEGER,
  team_join_status TEXT NOT NULL DEFAULT 'not_started',
  team_join_updated_at INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX accounts_owner ON accounts(owner_worker_id);

CREATE TABLE account_tags (
  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  tag TEXT NOT NULL,
  PRIMARY KEY (account_id, tag)
);
CREATE INDEX account_tags_tag ON account_tags(tag);

CREATE TABLE jobs (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  type TEXT NOT NULL,
  platform TEXT,
  account_id TEXT REFERENCES accounts(id),
  pool TEXT,
  payload TEXT NOT NULL DEFAULT '{}',
  priority INTEGER NOT NULL DEFAULT 0,
  run_after INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('queued','dispatched','running','succeeded','failed','cancelled')),
  attempt INTEGER NOT NULL DEFAULT 1,
  max_attempts INTEGER NOT NULL DEFAULT 3,
  timeout_ms INTEGER NOT NULL,
  progress_percent REAL NOT NULL DEFAULT 0,
  progress_step TEXT NOT NULL DEFAULT 'queued',
  progress_message TEXT,
  result TEXT,
  error_code TEXT,
  error_message TEXT,
  worker_id TEXT,
  epoch INTEGER,
  lease_expires_at INTEGER,
  parent_id TEXT REFERENCES jobs(id),
  idempotency_key TEXT UNIQUE,
  created_at INTEGER NOT NULL,
  dispatched_at INTEGER,
  started_at INTEGER,
  finished_at INTEGER
);
CREATE INDEX jobs_status_run ON jobs(status, priority DESC, run_after, seq);
CREATE INDEX jobs_account_status ON jobs(account_id, status);
CREATE INDEX jobs_worker_status ON jobs(worker_id, status);
CREATE INDEX jobs_parent ON jobs(parent_id);

CREATE TABLE job_events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  at INTEGER NOT NULL,
  kind TEXT NOT NULL,
  data TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX job_events_job ON job_events(job_id, seq);

CREATE TABLE artifacts (
  job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  size INTEGER NOT NULL,
  content_type TEXT NOT NULL,
  path TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (job_id, name)
);

CREATE TABLE messages (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  platform TEXT NOT NULL,
  platform_message_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  thread_id TEXT,
  author TEXT NOT NULL,
  text TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  UNIQUE (account_id, platform, platform_message_id)
);

CREATE TABLE api_tokens (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL CHECK (role IN ('admin','operator','viewer')),
  created_at INTEGER NOT NULL,
  revoked_at INTEGER
);

CREATE TABLE refused_reports (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  at INTEGER NOT NULL,
  worker_id TEXT NOT NULL,
  event TEXT NOT NULL,
  code TEXT NOT NULL,
  detail TEXT NOT NULL
);
`,
  },
  {
    version: 2,
    name: 'monitors, batches and flows',
    sql: `
CREATE TABLE monitors (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  type TEXT NOT NULL,
  payload TEXT NOT NULL DEFAULT '{}',
  min_interval_ms INTEGER NOT NULL,
  max_interval_ms INTEGER NOT NULL,
  paused INTEGER NOT NULL DEFAULT 0,
  next_run_at INTEGER NOT NULL,
  last_job_id TEXT,
  runs INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL
);
CREATE INDEX monitors_due ON monitors(paused, next_run_at);
ALTER TABLE jobs ADD COLUMN monitor_id TEXT;
ALTER TABLE workers ADD COLUMN browser_version TEXT;
ALTER TABLE jobs ADD COLUMN options TEXT NOT NULL DEFAULT '{}';
CREATE INDEX jobs_finished ON jobs(finished_at);
`,
  },
  {
    version: 3,
    name: 'job indexes that a status change leaves alone',
    // Every status change rewrote an entry in (account_id, status) and (worker_id, status): keyed
    // by ids spread over the whole index, so each change dirtied its own page, and committing
    // those pages was the largest cost of dispatch (bench:dispatch). The lookups by account or
    // worker that need a status ask only for jobs in flight, which a small partial index holds;
    // the plain account index (listing an account's jobs) is not touched by a status change.
    sql: `
DROP INDEX jobs_account_status;
DROP INDEX jobs_worker_status;
CREATE INDEX jobs_account ON jobs(account_id);
CREATE INDEX jobs_account_active ON jobs(account_id) WHERE status IN ('dispatched','running');
CREATE INDEX jobs_worker_active ON jobs(worker_id) WHERE status IN ('dispatched','running');
`,
  },
  {
    version: 4,
    name: 'partial parent and finished indexes; children tallied from the parent index',
    // Most jobs have no parent and are unfinished until their last transition: indexing their
    // NULLs cost every job a page in each of the two indexes for nothing (3 of 36 WAL pages per
    // job, measured on the store). Queries by parent or by finished_at compare with a value, which
    // the partial indexes still serve. The parent index carries the status so that a batch's
    // progress is counted from the index alone rather than by reading every child's row.
    sql: `
DROP INDEX jobs_parent;
CREATE INDEX jobs_parent ON jobs(parent_id, status) WHERE parent_id IS NOT NULL;
DROP INDEX jobs_finished;
CREATE INDEX jobs_finished ON jobs(finished_at) WHERE finished_at IS NOT NULL;
`,
  },
  {
    version: 5,
    name: 'queued jobs by account',
    // A dispatch pass read the queue in order and skipped the jobs of busy accounts, so with a
    // backlog behind busy accounts it walked every queued job each time (33 ms a pass with 100,000
    // queued behind 400 busy accounts). When few accounts are idle it now asks each for its next
    // job: one probe of this index. Pool jobs (no account yet) sit at its start, under NULL, in order.
    sql: `
CREATE INDEX jobs_queued_by_account ON jobs(account_id, priority DESC, run_after, seq) WHERE status = 'queued';
`,
  },
  {
    version: 6,
    name: 'durable cancel requests, idempotency fingerprints, refused reports by age',
    // A cancel sent to a worker that then vanished must not turn into a retry: the request is
    // kept on the job, so loss, lease expiry and re-register end it cancelled. The fingerprint of
    // the request that first used an idempotency key tells a re-post from a different job under
    // the same key. Refused reports are purged by age with the retention pass; their running
    // totals (the fleet_refused_reports_total counter) are kept apart, so a purge never lowers them.
    sql: `
ALTER TABLE jobs ADD COLUMN cancel_requested_at INTEGER;
ALTER TABLE jobs ADD COLUMN idempotency_fingerprint TEXT;
CREATE INDEX refused_reports_at ON refused_reports(at);
CREATE TABLE refused_report_totals (
  event TEXT NOT NULL,
  code TEXT NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (event, code)
);
INSERT INTO refused_report_totals (event, code, n) SELECT event, code, COUNT(*) FROM refused_reports GROUP BY event, code;
`,
  },
  {
    version: 7,
    name: 'worker credentials',
    // Each worker id gets a credential of its own, enrolled once with the fleet token (see
    // WorkerCredentialStore). Only its hash is kept. confirmed_at: first used in a handshake; from
    // then on the fleet token no longer speaks for that id.
    sql: `
CREATE TABLE worker_credentials (
  worker_id TEXT PRIMARY KEY,
  token_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  confirmed_at INTEGER
);
`,
  },
  {
    version: 8,
    name: 'leases and masters',
    // Named leases with fencing epochs (see LeasesBackend): which master leads, when several share a
    // store; and where each master answers, so the others can forward to the leader.
    sql: `
CREATE TABLE leases (
  name TEXT PRIMARY KEY,
  holder TEXT NOT NULL,
  epoch INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE TABLE masters (
  id TEXT PRIMARY KEY,
  url TEXT NOT NULL,
  seen_at INTEGER NOT NULL
);
`,
  },
  {
    version: 9,
    name: 'rate limits and pauses',
    // Operators' limits (a rate and/or a concurrency per account, pool or platform and job type;
    // the rule as JSON) and the scopes a platform throttled (see LimitsBackend).
    sql: `
CREATE TABLE rate_limits (
  id TEXT PRIMARY KEY,
  scope TEXT NOT NULL CHECK (scope IN ('account','pool','platform')),
  target TEXT NOT NULL,
  job_type TEXT NOT NULL,
  rule TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE TABLE rate_limit_pauses (
  scope TEXT NOT NULL CHECK (scope IN ('account','platform')),
  target TEXT NOT NULL,
  until INTEGER NOT NULL,
  reason TEXT,
  PRIMARY KEY (scope, target)
);
`,
  },
  {
    version: 10,
    name: 'lease fences apart from expiries',
    // A lease's holder and epoch in a row of their own, apart from its expiry (see LeaseStore and
    // PostgreSQL's migration 4, where it keeps the holder's renewals from waiting for its decisions).
    sql: `
CREATE TABLE lease_fences (
  name TEXT PRIMARY KEY,
  holder TEXT NOT NULL,
  epoch INTEGER NOT NULL
);
INSERT INTO lease_fences (name, holder, epoch) SELECT name, holder, epoch FROM leases;
`,
  },
  {
    version: 11,
    name: 'leases marked announced',
    // See LeaseRecord.announcedThrough and PostgreSQL's migration 5.
    sql: 'ALTER TABLE leases ADD COLUMN announced_through INTEGER;',
  },
];
