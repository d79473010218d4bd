import { FleetError, errorClassOf, type JobError, type JobEventView, type JobView, type Page } from '@fleetwright/shared';
import { iso } from '../time.js';
import type { JobLinks } from './job-links.js';
import { PARENT_JOB_TYPES, type JobEventRow, type JobRow } from './records.js';

/**
 * A job's views, the same for every engine: a view is its row and what the row's extras query
 * found (the artifacts of finished jobs, the children of parents), for all the rows in one query.
 */

/** One row the extras query finds: an artifact of a finished job, or a child (its id in `name`) of a parent. */
export interface JobExtraRow {
  kind: 'artifact' | 'child';
  owner: string;
  name: string;
  size: number;
}

/**
 * Which of the rows the extras query asks about. Artifacts are uploaded before a job's result, so
 * only finished jobs are asked for them; only parents (batches, flows) for children.
 */
export function jobsWithExtras(rows: readonly JobRow[]): { finished: string[]; parents: string[] } {
  return { finished: rows.filter((r) => r.finished_at !== null).map((r) => r.id), parents: rows.filter((r) => PARENT_JOB_TYPES.has(r.type)).map((r) => r.id) };
}

/**
 * The view of a row the extras query would find nothing for (a job neither finished nor a parent),
 * built without asking the store; undefined for a row that has extras to read.
 */
export function viewWithoutExtras(row: JobRow): JobView | undefined {
  return row.finished_at === null && !PARENT_JOB_TYPES.has(row.type) ? jobView(row, [], []) : undefined;
}

/** Views of the rows, in their order, with what the extras query `found` for them. */
export function jobViews(rows: readonly JobRow[], found: readonly JobExtraRow[], links: JobLinks): JobView[] {
  // Most views have no extras (a job in flight, a finished one without artifacts): a view follows every move.
  if (found.length === 0) return rows.map((row) => jobView(row, [], []));
  const artifacts = new Map<string, JobView['artifacts']>();
  const childIds = new Map<string, string[]>();
  for (const { kind, owner, name, size } of found) {
    if (kind === 'artifact') pushTo(artifacts, owner, { name, size, url: links.artifactUrl(owner, name) });
    else pushTo(childIds, owner, name);
  }
  return rows.map((row) => jobView(row, artifacts.get(row.id) ?? [], childIds.get(row.id) ?? []));
}

function jobView(row: JobRow, artifacts: JobView['artifacts'], childIds: string[]): JobView {
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
    ...(PARENT_JOB_TYPES.has(row.type) ? { childIds } : {}),
    idempotencyKey: row.idempotency_key,
    artifacts,
    runAfter: iso(row.run_after),
    createdAt: iso(row.created_at),
    startedAt: iso(row.started_at),
    finishedAt: iso(row.finished_at),
  };
}

function pushTo<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

export function jobEventView(row: Pick<JobEventRow, 'at' | 'kind' | 'data'>): JobEventView {
  return { at: iso(row.at), kind: row.kind, data: JSON.parse(row.data) as Record<string, unknown> };
}

/**
 * Where a page of a job's timeline starts: after the `seq` its cursor names (the last event on the
 * page before), or at the beginning. A timeline only grows at its end, so paging forward never
 * skips or repeats an event.
 */
export function jobEventsAfter(cursor: string | undefined): number {
  if (cursor !== undefined && !/^\d{1,15}$/.test(cursor))
    throw new FleetError('VALIDATION_FAILED', 'cursor: not a cursor this list handed out', { field: 'cursor' });
  return cursor === undefined ? 0 : Number(cursor);
}

/** A page of a job's timeline from up to `limit + 1` events read from its start (the one past `limit` tells that more follow). */
export function jobEventPage(rows: readonly JobEventRow[], limit: number): Page<JobEventView> {
  const page = rows.slice(0, limit);
  return { items: page.map(jobEventView), nextCursor: rows.length > limit ? String(page.at(-1)!.seq) : null };
}
