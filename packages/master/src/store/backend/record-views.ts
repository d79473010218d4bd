import {
  ACCOUNT_STEPS,
  MASKED_SECRET,
  type AccountBrowserView,
  type AccountView,
  type Capability,
  type DeviceProfile,
  type MessageView,
  type MonitorView,
  type TokenView,
  type WorkerStats,
  type WorkerView,
} from '@fleetwright/shared';
import { iso } from '../time.js';
import type { LeaseRecord } from './leases-backend.js';
import type { AccountRow, LeaseRow, LimitRow, MessageRow, MonitorRow, TokenRow, WorkerRow } from './records.js';
import type { LimitRecord } from './limits-backend.js';

/**
 * The API's views of the stored records: pure mappings of a record (and what a view adds to it),
 * the same for every engine, since the records are (records.ts). Jobs have theirs in job-views.ts.
 */

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

export function tokenView(row: TokenRow): TokenView {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    createdAt: new Date(row.created_at).toISOString(),
    revokedAt: row.revoked_at === null ? null : new Date(row.revoked_at).toISOString(),
  };
}

export function leaseRecord(row: LeaseRow): LeaseRecord {
  return {
    name: row.name,
    holder: row.holder,
    epoch: row.epoch,
    expiresAt: row.expires_at,
    ...(row.announced_through === null ? {} : { announcedThrough: row.announced_through }),
  };
}

export function limitRecord(row: LimitRow): LimitRecord {
  return {
    id: row.id,
    scope: row.scope,
    target: row.target,
    jobType: row.job_type,
    rule: JSON.parse(row.rule) as LimitRecord['rule'],
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
