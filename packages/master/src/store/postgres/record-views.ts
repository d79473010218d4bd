import {
  ACCOUNT_STEPS,
  MASKED_SECRET,
  errorClassOf,
  type AccountBrowserView,
  type AccountView,
  type Capability,
  type DeviceProfile,
  type JobError,
  type JobView,
  type MessageView,
  type MonitorView,
  type WorkerStats,
  type WorkerView,
} from '@fleetwright/shared';
import { iso } from '../time.js';
import { PARENT_JOB_TYPES, type AccountRow, type JobRow, type MonitorRow, type WorkerRow } from '../backend/records.js';

/**
 * The API's views of the stored records: pure mappings of a record (and what a view adds to it),
 * the same for every engine, since the records are (records.ts).
 */

/** What a job's view adds to its row: its artifacts (once finished) and its children (a parent's). */
export interface JobViewExtras {
  artifacts: JobView['artifacts'];
  childIds: string[];
}

export function jobView(row: JobRow, extras: JobViewExtras): JobView {
  const error: JobError | null = row.error_code ? { code: row.error_code, message: row.error_message ?? '', errorClass: errorClassOf(row.error_code) } : null;
  return {
    id: row.id,
    type: row.type,
    platform: row.platform,
    accountId: row.account_id,
    pool: row.pool,
    payload: JSON.parse(row.payload) as Record<string, unknown>,
    priority: row.priority,
    status: row.status,
    attempt: row.attempt,
    maxAttempts: row.max_attempts,
    progress: { percent: row.progress_percent, step: row.progress_step, message: row.progress_message },
    result: row.result === null ? null : (JSON.parse(row.result) as unknown),
    error,
    workerId: row.worker_id,
    epoch: row.epoch,
    parentId: row.parent_id,
    monitorId: row.monitor_id,
    ...(PARENT_JOB_TYPES.has(row.type) ? { childIds: extras.childIds } : {}),
    idempotencyKey: row.idempotency_key,
    artifacts: extras.artifacts,
    runAfter: iso(row.run_after),
    createdAt: iso(row.created_at),
    startedAt: iso(row.started_at),
    finishedAt: iso(row.finished_at),
  };
}

/** An account's view, secrets masked, with its live browser state. */
export function accountView(row: AccountRow, browser: AccountBrowserView): AccountView {
  const steps: AccountView['steps'] = {};
  for (const step of ACCOUNT_STEPS) steps[step] = { status: row[`${step}_status`], updatedAt: iso(row[`${step}_updated_at`]) };
  return {
    id: row.id,
    platform: row.platform,
    label: row.label,
    tags: JSON.parse(row.tags) as string[],
    credentials: row.credentials_sealed ? { username: row.username ?? '', password: MASKED_SECRET } : null,
    proxy: row.proxy_masked,
    deviceProfile: row.device_profile ? (JSON.parse(row.device_profile) as DeviceProfile) : null,
    hasStorageState: row.storage_state_sealed !== null,
    storageStateVersion: row.storage_state_version,
    ownerWorkerId: row.owner_worker_id,
    epoch: row.epoch,
    steps,
    browser,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

export function capabilitiesOf(row: WorkerRow): Capability[] {
  return JSON.parse(row.capabilities) as Capability[];
}

export function workerView(row: WorkerRow, accounts: number): WorkerView {
  return {
    id: row.id,
    host: row.host,
    version: row.version,
    capabilities: capabilitiesOf(row),
    maxAccounts: row.max_accounts,
    maxConcurrency: row.max_concurrency,
    status: row.status,
    lastHeartbeatAt: iso(row.last_heartbeat_at),
    stats: row.stats ? (JSON.parse(row.stats) as WorkerStats) : null,
    accounts,
    createdAt: iso(row.created_at),
  };
}

export function monitorView(row: MonitorRow): MonitorView {
  return {
    id: row.id,
    accountId: row.account_id,
    type: row.type,
    payload: JSON.parse(row.payload) as Record<string, unknown>,
    minIntervalMs: row.min_interval_ms,
    maxIntervalMs: row.max_interval_ms,
    paused: row.paused === 1,
    nextRunAt: iso(row.next_run_at),
    lastJobId: row.last_job_id,
    runs: row.runs,
    createdAt: iso(row.created_at),
  };
}

/** A stored message (its table's own row shape). */
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

export function messageView(row: MessageRow): MessageView {
  return {
    id: row.seq,
    accountId: row.account_id,
    platform: row.platform,
    kind: row.kind,
    platformMessageId: row.platform_message_id,
    threadId: row.thread_id,
    author: row.author,
    text: row.text,
    detectedAt: iso(row.created_at),
  };
}
