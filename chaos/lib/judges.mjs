// The judges, each independent of what the master says about itself: the sandbox's oracles (what
// the site saw), the master's SQLite read directly and read-only (not its API), the process table
// and the disk.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { ERROR_CODES } from '@fleetwright/shared';

const FINAL = new Set(['succeeded', 'failed', 'cancelled']);

/** Fence violations and duplicate replies as the sandbox reports them over HTTP, and every reply text counted in its store. */
export async function judgeSite(sandbox, replies) {
  const fence = await (await fetch(`${sandbox.url}/oracle/fence-violations`)).json();
  const duplicates = (await (await fetch(`${sandbox.url}/oracle/duplicate-replies`)).json()).duplicates;
  const counts = new Map();
  for (const c of sandbox.store.comments.values()) if (c.parentId !== undefined) counts.set(c.text, (counts.get(c.text) ?? 0) + 1);
  for (const m of sandbox.store.messages.messages.values()) counts.set(m.text, (counts.get(m.text) ?? 0) + 1);
  const replyTexts = replies.map((r) => ({ key: r.key, jobId: r.jobId, text: r.text, count: counts.get(r.text) ?? 0 }));
  return {
    fenceViolations: fence.violations,
    requestsWithFence: fence.requestsWithFence,
    oracleDuplicates: duplicates,
    replyTexts,
  };
}

/** Status history of every job, from its `job_events` rows (kind = status) in order. */
function histories(events) {
  const byJob = new Map();
  for (const e of events) {
    const data = JSON.parse(e.data);
    const list = byJob.get(e.job_id) ?? [];
    list.push({ at: e.at, ...data });
    byJob.set(e.job_id, list);
  }
  return byJob;
}

const JOB_COLUMNS = 'id, type, status, attempt, max_attempts, error_code, error_message, idempotency_key, worker_id, parent_id, monitor_id';
const STATUS_EVENTS = "SELECT job_id, at, data FROM job_events WHERE kind = 'status' ORDER BY seq";
const REFUSED = 'SELECT event, code, COUNT(*) AS n FROM refused_reports GROUP BY event, code';

/** What the judges read of a SQLite master's store, opened read-only after the master stopped. */
export function readSqliteStore(dbPath) {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    return { rows: db.prepare(`SELECT ${JOB_COLUMNS} FROM jobs`).all(), refused: db.prepare(REFUSED).all(), events: db.prepare(STATUS_EVENTS).all() };
  } finally {
    db.close();
  }
}

/** The same, from the PostgreSQL database the masters shared (read after they stopped). */
export async function readPostgresStore(url) {
  // BIGINT and COUNT come back as numbers, as SQLite gives them.
  const asNumber = (value) => Number(value);
  const client = new pg.Client({
    connectionString: url,
    types: { getTypeParser: (oid, format) => (oid === 20 ? asNumber : pg.types.getTypeParser(oid, format)) },
  });
  await client.connect();
  try {
    const rows = (await client.query(`SELECT ${JOB_COLUMNS} FROM jobs`)).rows;
    const refused = (await client.query(REFUSED)).rows;
    const events = (await client.query(STATUS_EVENTS)).rows;
    return { rows, refused, events };
  } finally {
    await client.end();
  }
}

/** The judges' findings on a store's content (readSqliteStore / readPostgresStore). */
export function judgeStore({ rows, refused, events }, submitted) {
  const history = histories(events);
  const byKey = new Map(rows.map((r) => [r.idempotency_key, r]));
  const missing = submitted.filter((s) => !byKey.has(s.key)).map((s) => s.key);
  const unfinished = rows.filter((r) => !FINAL.has(r.status)).map((r) => ({ id: r.id, type: r.type, status: r.status }));
  const succeededTwice = [...history.entries()].filter(([, h]) => h.filter((e) => e.status === 'succeeded').length > 1).map(([id]) => id);
  const failed = rows.filter((r) => r.status === 'failed');
  const exhausted = (r) => r.attempt >= r.max_attempts;
  const retryable = (code) => ERROR_CODES[code]?.retryable ?? true;
  // A failure is expected when the job used all its attempts, or when its error says retrying
  // cannot help; both must name a reason.
  const unexpectedFailures = failed
    .filter((r) => !r.error_code || (!exhausted(r) && retryable(r.error_code)))
    .map((r) => ({ id: r.id, type: r.type, attempt: r.attempt, maxAttempts: r.max_attempts, code: r.error_code, message: r.error_message }));
  const failureReasons = {};
  for (const r of failed) {
    const reason = `${r.error_code ?? 'NO_REASON'}${exhausted(r) ? ' (attempts exhausted)' : retryable(r.error_code) ? '' : ' (not retryable)'}`;
    failureReasons[reason] = (failureReasons[reason] ?? 0) + 1;
  }
  const count = (status) => rows.filter((r) => r.status === status).length;
  // Dispatches a worker refused (NO_CAPACITY, NOT_OWNER, ...): the master and the worker disagreeing.
  const dispatchRefusals = {};
  for (const events of history.values()) for (const e of events) if (e.refused) dispatchRefusals[e.refused] = (dispatchRefusals[e.refused] ?? 0) + 1;
  const reruns = rows.filter((r) => (history.get(r.id) ?? []).filter((e) => e.status === 'running').length > 1).length;
  return {
    jobs: rows.length,
    succeeded: count('succeeded'),
    failed: failed.length,
    cancelled: count('cancelled'),
    missing,
    unfinished,
    succeededTwice,
    unexpectedFailures,
    failureReasons,
    refusedReports: Object.fromEntries(refused.map((r) => [`${r.event} ${r.code}`, r.n])),
    jobsRunMoreThanOnce: reruns,
    dispatchRefusals,
    history,
    rows,
  };
}

/** Profile directories still on disk, on any worker, for accounts that were deleted. */
export function leftoverProfiles(workersDir, deletedAccountIds) {
  if (!existsSync(workersDir)) return [];
  const left = [];
  for (const worker of readdirSync(workersDir)) {
    for (const accountId of deletedAccountIds) {
      const dir = path.join(workersDir, worker, 'profiles', accountId);
      if (existsSync(dir)) left.push(dir);
    }
  }
  return left;
}

/**
 * Failover: for each worker SIGKILL, each job that was running on that worker at that moment, the
 * time until it was running again (on another worker, or on the same worker once restarted).
 * Jobs that ended without running again are listed apart.
 */
export function failoverTimes(history, kills) {
  const samples = [];
  const notRerun = [];
  for (const kill of kills) {
    for (const [jobId, events] of history) {
      let worker;
      let status;
      let i = 0;
      for (; i < events.length && events[i].at <= kill.at; i += 1) {
        status = events[i].status;
        if (status === 'dispatched') worker = events[i].workerId;
      }
      if (status !== 'running' || worker !== kill.target) continue;
      const next = events.slice(i).find((e) => e.status === 'running' || FINAL.has(e.status));
      if (next?.status === 'running') {
        const after = events.slice(i).filter((e) => e.at <= next.at);
        const dispatch = [...after].reverse().find((e) => e.status === 'dispatched');
        const requeued = after.find((e) => e.status === 'queued');
        // Where the time went: the master noticing (kill → queued), the queue (queued → the
        // dispatch that ran), the start on the worker (that dispatch → running: lock, context).
        const phases =
          requeued && dispatch ? { noticeMs: requeued.at - kill.at, queueMs: dispatch.at - requeued.at, startMs: next.at - dispatch.at } : undefined;
        samples.push({
          jobId,
          killedWorker: kill.target,
          ms: next.at - kill.at,
          rerunOn: dispatch?.workerId,
          refusals: after.filter((e) => e.refused).length,
          ...(phases ? { phases } : {}),
        });
      } else notRerun.push({ jobId, killedWorker: kill.target, endedAs: next?.status ?? 'never' });
    }
  }
  return { samples, notRerun };
}

/** The p50 of each failover phase over the samples that have them. */
export function failoverPhasesP50(samples) {
  const withPhases = samples.filter((s) => s.phases);
  if (withPhases.length === 0) return null;
  const p50 = (key) =>
    percentile(
      withPhases.map((s) => s.phases[key]),
      50,
    );
  return {
    noticeMs: p50('noticeMs'),
    queueMs: p50('queueMs'),
    startMs: p50('startMs'),
    sameWorker: withPhases.filter((s) => s.rerunOn === s.killedWorker).length,
    refusals: withPhases.reduce((n, s) => n + s.refusals, 0),
  };
}

export function percentile(values, p) {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}
