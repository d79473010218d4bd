import { randomUUID } from 'node:crypto';
import type { Master } from '@fleetwright/master';

const MINUTE_MS = 60_000;

export interface SeededFleet {
  accountIds: string[];
  /** Jobs by status, as seeded. */
  jobs: Record<'succeeded' | 'failed' | 'cancelled', number>;
}

/**
 * Writes `accounts` accounts and `jobs` finished jobs straight into the master's store, in two
 * transactions (the API would take minutes). Jobs finished over the last hour: 70 % succeeded,
 * 20 % failed, 10 % cancelled; accounts spread over four pools.
 */
export function seedScale(master: Master, accounts: number, jobs: number, now = Date.now()): SeededFleet {
  const db = master.store.db;
  const accountIds = Array.from({ length: accounts }, () => randomUUID());
  const pools = ['eu', 'us', 'apac', 'team-a'];
  db.transaction(() => {
    const insert = db.prepare("INSERT INTO accounts (id, platform, label, tags, created_at, updated_at) VALUES (?, 'sandbox', ?, ?, ?, ?)");
    const tag = db.prepare('INSERT INTO account_tags (account_id, tag) VALUES (?, ?)');
    accountIds.forEach((id, i) => {
      const pool = pools[i % pools.length]!;
      insert.run(id, `bulk-${String(i).padStart(5, '0')}`, JSON.stringify([pool]), now - (accounts - i) * 1000, now);
      tag.run(id, pool);
    });
  })();
  const counts = { succeeded: 0, failed: 0, cancelled: 0 };
  db.transaction(() => {
    const insert = db.prepare(
      `INSERT INTO jobs (id, type, platform, account_id, run_after, status, timeout_ms, progress_percent, progress_step, error_code, error_message, worker_id, created_at, started_at, finished_at)
       VALUES (?, ?, 'sandbox', ?, ?, ?, 300000, ?, ?, ?, ?, 'w-bulk', ?, ?, ?)`,
    );
    for (let i = 0; i < jobs; i++) {
      const status = i % 10 < 7 ? 'succeeded' : i % 10 < 9 ? 'failed' : 'cancelled';
      counts[status] += 1;
      // Oldest first, so the newest seq is also the most recently finished; the rate swings a
      // little over the hour, as a real fleet's would (monotonic, so the order holds).
      const u = (i + 0.5) / jobs;
      const finishedAt = now - 60 * MINUTE_MS + Math.floor((u + 0.025 * Math.sin(u * 6 * Math.PI)) * 60 * MINUTE_MS);
      const created = finishedAt - 5000;
      const failed = status === 'failed';
      insert.run(
        randomUUID(),
        i % 3 === 0 ? 'login' : 'crawl',
        accountIds[i % accounts],
        created,
        status,
        failed ? 70 : 100,
        failed ? 'verify_session' : 'done',
        failed ? 'AUTH_FAILED' : null,
        failed ? 'seeded failure' : null,
        created,
        created + 100,
        finishedAt,
      );
    }
  })();
  return { accountIds, jobs: counts };
}
