import { FleetError, type JobEventView, type Page } from '@fleetwright/shared';
import type { Db } from './database.js';
import { iso } from '../time.js';

/**
 * One page of a job's timeline, oldest first, from the `(job_id, seq)` index: `cursor` is the last
 * event's sequence number on the page before, so a page costs its own rows, however long the job's
 * history. A timeline only grows at its end, so paging forward never skips or repeats an event.
 */
export function jobEventPage(db: Db, jobId: string, limit: number, cursor?: string): Page<JobEventView> {
  if (cursor !== undefined && !/^\d{1,15}$/.test(cursor))
    throw new FleetError('VALIDATION_FAILED', 'cursor: not a cursor this list handed out', { field: 'cursor' });
  const rows = db
    .prepare('SELECT seq, at, kind, data FROM job_events WHERE job_id = ? AND seq > ? ORDER BY seq LIMIT ?')
    .all(jobId, cursor === undefined ? 0 : Number(cursor), limit + 1) as { seq: number; at: number; kind: string; data: string }[];
  const page = rows.slice(0, limit);
  return {
    items: page.map((r) => ({ at: iso(r.at), kind: r.kind, data: JSON.parse(r.data) as Record<string, unknown> })),
    nextCursor: rows.length > limit ? String(page.at(-1)!.seq) : null,
  };
}
