import { afterEach, describe, expect, it } from 'vitest';
import { MasterFixture } from './support/master-fixture.js';

/** Tables that grow with the fleet's history, not its size: a public endpoint must not scan them. */
const HISTORY_TABLES = ['jobs', 'job_events', 'refused_reports', 'messages', 'artifacts'];

describe('/health and /metrics stay cheap however long the history (no token, so no scans)', () => {
  let fx: MasterFixture;
  afterEach(async () => {
    await fx?.close();
  });

  /** The SQL each call of `during` prepares (the statement cache hands out one per call). */
  async function statementsOf(during: () => Promise<unknown>): Promise<string[]> {
    const db = fx.master.store.db;
    const prepare = db.prepare;
    const seen = new Set<string>();
    db.prepare = ((source: string) => {
      seen.add(source);
      return prepare.call(db, source);
    }) as typeof db.prepare;
    try {
      await during();
    } finally {
      db.prepare = prepare;
    }
    return [...seen];
  }

  /** EXPLAIN QUERY PLAN lines that read a whole history table (or a whole index of one). */
  function scansOf(sql: string): string[] {
    const db = fx.master.store.db;
    const params = (sql.match(/\?/g) ?? []).map(() => 0);
    const plan = db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[];
    return plan.map((p) => p.detail).filter((detail) => HISTORY_TABLES.some((t) => new RegExp(`^SCAN ${t}\\b`).test(detail)));
  }

  it('reads the history tables only through index searches, from the second scrape on', async () => {
    fx = await MasterFixture.start();
    const worker = await fx.worker('w1').start();
    const account = await fx.createAccount({ platform: 'sandbox', tags: ['pool-a'] });
    const job = await fx.createJob({ type: 'crawl', accountId: account.id });
    await worker.succeed(await worker.waitForRun(0));
    await fx.waitForJob(job.id, 'succeeded', (j) => j.status === 'succeeded');
    // The first scrape counts finished jobs once; from then on they are kept up to date from events.
    expect((await fetch(`${fx.url}/metrics`)).status).toBe(200);

    const statements = await statementsOf(async () => {
      expect((await fetch(`${fx.url}/metrics`)).status).toBe(200);
      expect((await fetch(`${fx.url}/health`)).status).toBe(200);
      expect((await fetch(`${fx.url}/`)).status).toBe(200);
    });
    expect(statements.length).toBeGreaterThan(3);
    const scans = statements.map((sql) => ({ sql, scans: scansOf(sql) })).filter((s) => s.scans.length > 0);
    expect(scans).toEqual([]);
  });

  it('keeps fleet_jobs true after the first scrape, counting a finish once', async () => {
    fx = await MasterFixture.start();
    const worker = await fx.worker('w1').start();
    const account = await fx.createAccount();
    const scrape = async (): Promise<string> => (await fetch(`${fx.url}/metrics`)).text();
    await scrape();
    const job = await fx.createJob({ type: 'crawl', accountId: account.id });
    expect(await scrape()).toMatch(/fleet_jobs\{type="crawl",status="queued"\} 1|fleet_jobs\{type="crawl",status="(dispatched|running)"\} 1/);
    const run = await worker.waitForRun(0);
    await worker.succeed(run);
    await fx.waitForJob(job.id, 'succeeded', (j) => j.status === 'succeeded');
    const after = await scrape();
    expect(after).toContain('fleet_jobs{type="crawl",status="succeeded"} 1');
    expect(after).toContain('fleet_jobs{type="crawl",status="running"} 0');
    // A second report of the same finish does not count twice.
    await worker.succeed(run);
    expect(await scrape()).toContain('fleet_jobs{type="crawl",status="succeeded"} 1');
  });
});
