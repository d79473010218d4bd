import type {
  AccountBrowserView,
  Capability,
  Credentials,
  JobStatus,
  LimitScope,
  StepStatus,
  StorageState,
  TokenRole,
  WorkerStatus,
} from '@fleetwright/shared';

/**
 * The records the backend stores and returns, as every adapter must shape them. Column names are
 * the tables' own (snake_case); JSON columns (`payload`, `options`, `tags`, `capabilities`, ...) hold
 * JSON text.
 */

/** Job types the master runs itself (never dispatched): their children do the work. */
export const PARENT_JOB_TYPES = new Set(['batch', 'invite_flow']);

export interface JobRow {
  seq: number;
  id: string;
  type: string;
  platform: string | null;
  account_id: string | null;
  pool: string | null;
  payload: string;
  priority: number;
  run_after: number;
  status: JobStatus;
  attempt: number;
  max_attempts: number;
  timeout_ms: number;
  progress_percent: number;
  progress_step: string;
  progress_message: string | null;
  result: string | null;
  error_code: string | null;
  error_message: string | null;
  worker_id: string | null;
  epoch: number | null;
  lease_expires_at: number | null;
  parent_id: string | null;
  idempotency_key: string | null;
  monitor_id: string | null;
  /** JSON: parent options ({ stopOnFailure }, flow members). */
  options: string;
  /** When a cancel was asked of the job's worker: the job never runs again, whatever becomes of that worker. */
  cancel_requested_at: number | null;
  /** Fingerprint of the request that created the job under its idempotency key. */
  idempotency_fingerprint: string | null;
  created_at: number;
  dispatched_at: number | null;
  started_at: number | null;
  finished_at: number | null;
}

/** One entry of a job's timeline. `data` is JSON text. */
export interface JobEventRow {
  seq: number;
  at: number;
  kind: string;
  data: string;
}

export interface NewJob {
  type: string;
  platform: string | null;
  accountId: string | null;
  pool: string | null;
  payload: Record<string, unknown>;
  priority: number;
  maxAttempts: number;
  timeoutMs: number;
  runAfter: number;
  parentId: string | null;
  idempotencyKey: string | null;
  /** Fingerprint of the request (see `requestFingerprint`): a re-post under the same key must match it. */
  idempotencyFingerprint?: string | null;
  monitorId?: string | null;
  options?: Record<string, unknown>;
  /** Parents (batches, flows) start `running`: they are never dispatched. @defaultValue `queued` */
  status?: 'queued' | 'running';
}

/**
 * What the dispatcher needs to choose a queued job, with its account's ownership columns (null
 * for a pool job, or if the account is gone).
 */
export type RunnableJob = Pick<JobRow, 'id' | 'type' | 'account_id' | 'pool' | 'timeout_ms' | 'priority' | 'run_after' | 'seq'> & {
  account_platform: string | null;
  owner_worker_id: string | null;
  account_epoch: number | null;
  /** The owner's status and capacity, read with the job: a pass needs no read of its own for them. Null without an owner (or its row). */
  owner_status: WorkerRow['status'] | null;
  owner_max_concurrency: number | null;
};

/** A queued job sent to a worker (see JobsBackend.dispatchMany). */
export interface DispatchMove {
  id: string;
  workerId: string;
  /** The account's epoch the job runs under. */
  epoch: number;
  dispatchedAt: number;
  leaseExpiresAt: number;
  /** A pool job's account, chosen now; an account's own job keeps its columns. */
  account?: { id: string; platform: string };
  /** A limit held the job: its `held` step (and message) end as it goes. */
  releasesHold?: boolean;
}

export interface ChildTally {
  total: number;
  finished: number;
  failed: number;
  cancelled: number;
  /** The progress of the first child in flight, or null when none is. */
  currentPercent: number | null;
}

/** Columns a transition may set besides the status. */
export interface JobPatch {
  account_id?: string | null;
  platform?: string | null;
  worker_id?: string | null;
  epoch?: number | null;
  attempt?: number;
  run_after?: number;
  lease_expires_at?: number | null;
  dispatched_at?: number | null;
  started_at?: number | null;
  finished_at?: number | null;
  result?: string | null;
  error_code?: string | null;
  error_message?: string | null;
  progress_percent?: number;
  progress_step?: string;
  progress_message?: string | null;
}

export interface JobFilter {
  status?: JobStatus | undefined;
  type?: string | undefined;
  accountId?: string | undefined;
}

export interface AccountRow {
  seq: number;
  id: string;
  platform: string;
  label: string | null;
  tags: string;
  username: string | null;
  credentials_sealed: string | null;
  proxy_sealed: string | null;
  proxy_masked: string | null;
  device_profile: string | null;
  storage_state_sealed: string | null;
  storage_state_version: number;
  owner_worker_id: string | null;
  epoch: number;
  login_status: StepStatus;
  login_updated_at: number | null;
  invite_status: StepStatus;
  invite_updated_at: number | null;
  team_join_status: StepStatus;
  team_join_updated_at: number | null;
  created_at: number;
  updated_at: number;
}

export type AccountOwnership = Pick<AccountRow, 'id' | 'platform' | 'owner_worker_id' | 'epoch'>;

/** An account a worker owns, at the epoch it owns it under. */
export type OwnedAccount = Pick<AccountRow, 'id' | 'epoch'>;

/** An account's place in a pool: pools keep creation (seq) order. */
export interface PoolMembership {
  pool: string;
  seq: number;
  id: string;
}

/** What an account's placement needs: its id and platform. */
export type UnownedAccount = Pick<AccountRow, 'id' | 'platform'>;

/** Told the id of an account that was created, deleted, re-tagged or given a new owner. */
export type AccountChangeListener = (accountId: string) => void;

/** What a worker needs to open the account's profile (secrets opened). */
export interface AccountSecrets {
  credentials: Credentials | null;
  proxy: string | null;
  storageState: StorageState | null;
}

export interface WorkerRow {
  id: string;
  host: string;
  version: string;
  capabilities: string;
  max_accounts: number;
  max_concurrency: number;
  max_live_contexts: number;
  status: WorkerStatus;
  last_heartbeat_at: number | null;
  disconnected_at: number | null;
  stats: string | null;
  browser_version: string | null;
  created_at: number;
}

/** What dispatch needs of a worker. */
export type WorkerCapacity = Pick<WorkerRow, 'id' | 'status' | 'max_concurrency'>;

export interface WorkerRegistration {
  id: string;
  host: string;
  version: string;
  capabilities: Capability[];
  maxAccounts: number;
  maxConcurrency: number;
  maxLiveContexts: number;
  browserVersion?: string | undefined;
  /** A worker that says it is draining (a reconnect mid-drain) comes back draining, not online. */
  draining?: boolean;
}

export interface MonitorRow {
  seq: number;
  id: string;
  account_id: string;
  type: string;
  payload: string;
  min_interval_ms: number;
  max_interval_ms: number;
  paused: number;
  next_run_at: number;
  last_job_id: string | null;
  runs: number;
  created_at: number;
}

/** A comment or DM found by a crawl. */
export interface MessageRow {
  seq: number;
  account_id: string;
  platform: string;
  platform_message_id: string;
  kind: 'comment' | 'dm';
  thread_id: string | null;
  author: string;
  text: string;
  created_at: number;
}

export interface ArtifactRow {
  job_id: string;
  name: string;
  size: number;
  content_type: string;
  path: string;
  created_at: number;
}

export type Role = TokenRole;

export interface TokenIdentity {
  tokenId: string;
  role: Role;
}

/** An API token as listed (its hash never leaves the table). */
export interface TokenRow {
  id: string;
  name: string;
  role: Role;
  created_at: number;
  revoked_at: number | null;
}

/** A named lease (see LeasesBackend). */
export interface LeaseRow {
  name: string;
  holder: string;
  epoch: number;
  expires_at: number;
  announced_through: number | null;
}

/** How a worker's claim to its id was proven. */
export type WorkerProof = 'credential' | 'fleet-token';

/**
 * Where an account's view reads its live browser state. The master keeps that state in memory from
 * the workers' reports (it is a live reading, never stored); a backend only embeds it in views.
 */
export interface BrowserStateSource {
  view(accountId: string): AccountBrowserView;
  /** The account is gone: its browser state goes too. */
  forget(accountId: string): void;
}

/** A rate_limits row, as both engines return it. */
export interface LimitRow {
  id: string;
  scope: LimitScope;
  target: string;
  job_type: string;
  rule: string;
  created_at: number;
  updated_at: number;
}
