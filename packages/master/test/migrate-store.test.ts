/**
 * `migrateStore`: a fleet built on SQLite by a real master, copied into a real PostgreSQL, and run
 * on by a master there with the same data dir, tokens and key.
 */
import { randomBytes } from 'node:crypto';
import { FleetStore, migrateStore, StoreMigrationRefused, type StoreMigrationProgress } from '@fleetwright/master';
import { WorkerEvent } from '@fleetwright/shared';
import Database from 'better-sqlite3';
import pg from 'pg';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MasterFixture } from './support/master-fixture.js';
import { PostgresCluster } from './support/postgres-cluster.js';
import { waitUntil } from './support/wait-until.js';

const PROXY = 'http://proxy-user:proxy-pass-1@127.0.0.1:8081';
const STORAGE = { cookies: [], origins: [{ origin: 'http://sandbox.test', localStorage: [{ name: 'session', value: 'alice-session' }] }] };
const LATER = new Date(Date.now() + 24 * 3600_000).toISOString();

async function query<R extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

describe('migrateStore: a SQLite fleet moved to PostgreSQL', () => {
  let cluster: PostgresCluster;
  let fx: MasterFixture | undefined;
  beforeAll(async () => {
    cluster = await PostgresCluster.start();
  });
  afterAll(() => cluster?.stop());
  afterEach(async () => {
    await fx?.close();
    fx = undefined;
  });

  it('copies every table so a master on PostgreSQL shows the same fleet, opens its secrets, and adds jobs after the copied ones', async () => {
    fx = await MasterFixture.start();
    const w1 = await fx.worker('w1').start();
    const alice = await fx.createAccount({
      platform: 'sandbox',
      label: 'alice',
      tags: ['pool-a'],
      credentials: { username: 'alice', password: 'pw-alice-1' },
      proxy: PROXY,
    });
    const bob = await fx.createAccount({ platform: 'sandbox', label: 'bob', credentials: { username: 'bob', password: 'pw-bob-1' } });
    const aliceEpoch = (await w1.waitForAssign(alice.id)).epoch;
    await w1.waitForAssign(bob.id);
    expect((await w1.snapshot({ accountId: alice.id, epoch: aliceEpoch, version: 1, storageState: STORAGE })).ok).toBe(true);

    // Alice: a crawl that logs, finds a message, uploads its run.log and succeeds.
    const crawl = await fx.createJob({ type: 'crawl', accountId: alice.id, payload: { depth: 1 } });
    const crawlRun = await waitUntil('the crawl runs', () => w1.runs.find((r) => r.jobId === crawl.id));
    const ref = { jobId: crawl.id, accountId: alice.id, epoch: crawlRun.epoch, attempt: crawlRun.attempt };
    expect((await w1.progress(ref, 40, 'reading', 'page 1')).ok).toBe(true);
    const found = { ...ref, messages: [{ kind: 'comment', platformMessageId: 'c-1', author: 'carol', text: 'hello alice' }] };
    await (w1.socket.timeout(5000) as unknown as { emitWithAck(e: string, p: unknown): Promise<unknown> }).emitWithAck(WorkerEvent.MessageDetected, found);
    const upload = await fetch(`${fx.url}/api/v1/worker/jobs/${crawl.id}/artifacts/run.log`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${fx.workerToken}`, 'x-fleet-worker': 'w1', 'x-fleet-attempt': '1', 'content-type': 'application/octet-stream' },
      body: 'line one\nline two\n',
    });
    expect(upload.status).toBeLessThan(300);
    expect((await w1.succeed(ref, { items: 2 })).ok).toBe(true);
    await fx.waitForJob(crawl.id, 'succeeded', (j) => j.status === 'succeeded');
    // Bob: one failed job, then one left running.
    const failing = await fx.createJob({ type: 'crawl', accountId: bob.id, maxAttempts: 1 });
    const failingRun = await waitUntil('the failing crawl runs', () => w1.runs.find((r) => r.jobId === failing.id));
    await w1.fail(failingRun, { code: 'SELECTOR', message: 'no such button', retryable: false });
    await fx.waitForJob(failing.id, 'failed', (j) => j.status === 'failed');
    const running = await fx.createJob({ type: 'crawl', accountId: bob.id });
    const runningRun = await waitUntil('the second crawl runs', () => w1.runs.find((r) => r.jobId === running.id));
    await w1.progress(runningRun, 30, 'reading');
    await fx.waitForJob(running.id, 'running at 30 %', (j) => j.status === 'running' && j.progress.percent === 30);
    // Alice: one job waiting for its time, one cancelled before it.
    const queued = await fx.createJob({ type: 'crawl', accountId: alice.id, runAfter: LATER, idempotencyKey: 'later-1' });
    const cancelled = await fx.createJob({ type: 'crawl', accountId: alice.id, runAfter: LATER });
    expect((await fx.api('POST', `/jobs/${cancelled.id}/cancel`)).status).toBeLessThan(300);
    await fx.waitForJob(cancelled.id, 'cancelled', (j) => j.status === 'cancelled');
    const monitor = (await fx.api('POST', '/monitors', { accountId: bob.id, minIntervalMs: 60_000, maxIntervalMs: 90_000 })).body;
    expect((await fx.api('POST', `/monitors/${monitor.id}/pause`)).status).toBe(200);
    const viewer = (await fx.api('POST', '/tokens', { name: 'reader', role: 'viewer' })).body.token as string;
    const enrolled = await fetch(`${fx.url}/api/v1/worker/enroll`, {
      method: 'POST',
      headers: { authorization: `Bearer ${fx.workerToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ workerId: 'w2' }),
    });
    const credential = ((await enrolled.json()) as { credential: string }).credential;
    // Its first connection confirms the credential: from then on the fleet token no longer speaks for w2.
    await fx.worker('w2', { token: credential }).start();

    const jobIds = [crawl.id, failing.id, running.id, queued.id, cancelled.id];
    const view = async (): Promise<unknown> => ({
      accounts: (await fx!.api('GET', '/accounts')).body,
      jobs: (await fx!.api('GET', '/jobs?limit=100')).body,
      each: await Promise.all(jobIds.map(async (id) => [await fx!.job(id), (await fx!.api('GET', `/jobs/${id}/events`)).body])),
      monitors: (await fx!.api('GET', '/monitors')).body,
      messages: (await fx!.api('GET', `/messages?accountId=${alice.id}`)).body,
      tokens: (await fx!.api('GET', '/tokens')).body,
    });
    const before = await view();
    await fx.stopMaster();

    const sqlite = new Database(fx.dbFile, { readonly: true });
    const sqliteCounts = Object.fromEntries(
      ['workers', 'accounts', 'account_tags', 'jobs', 'job_events', 'artifacts', 'messages', 'monitors', 'api_tokens', 'worker_credentials'].map((t) => [
        t,
        (sqlite.prepare(`SELECT COUNT(*) AS n FROM ${t}`).get() as { n: number }).n,
      ]),
    );
    const sqliteMaxJobSeq = (sqlite.prepare('SELECT MAX(seq) AS n FROM jobs').get() as { n: number }).n;
    const sqliteMaxEventSeq = (sqlite.prepare('SELECT MAX(seq) AS n FROM job_events').get() as { n: number }).n;
    sqlite.close();
    for (const [table, rows] of Object.entries(sqliteCounts)) if (table !== 'artifacts') expect(rows, table).toBeGreaterThan(0);

    const { url } = await cluster.createDatabase();
    const progress: StoreMigrationProgress[] = [];
    const report = await migrateStore({ sqliteFile: fx.dbFile, databaseUrl: url, secretKey: fx.secretKey, onProgress: (p) => progress.push(p) });
    expect(report.checkedSecrets).toBe(3);
    const reported = Object.fromEntries(report.tables.map((t) => [t.table, t.rows]));
    expect(reported).toMatchObject(sqliteCounts);
    expect(progress.at(-1)).toMatchObject({ percent: 100, copied: report.totalRows, totalRows: report.totalRows });
    expect(new Set(progress.map((p) => p.table))).toEqual(new Set(report.tables.map((t) => t.table)));
    for (const table of report.tables) {
      const [{ n }] = await query<{ n: string }>(url, `SELECT COUNT(*) AS n FROM ${table.table}`);
      expect(Number(n), table.table).toBe(table.rows);
    }

    await fx.startMaster(fx.secretKey, url);
    expect(() => fx!.master.store).toThrow(/PostgreSQL/);
    expect(await view()).toEqual(before);
    // The secrets open: the worker gets alice back with her credentials, proxy and browser state.
    const back = await fx.worker('w1').start();
    const assign = await back.waitForAssign(alice.id);
    expect(assign).toMatchObject({ credentials: { username: 'alice', password: 'pw-alice-1' }, proxy: PROXY, storageState: STORAGE });
    // The artifact's record came over; its file stayed in the data dir.
    const log = await fetch(`${fx.url}/api/v1/jobs/${crawl.id}/artifacts/run.log`, { headers: { authorization: `Bearer ${fx.apiToken}` } });
    expect(await log.text()).toBe('line one\nline two\n');
    expect((await fx.api('GET', '/accounts', undefined, viewer)).status).toBe(200);
    await fx.worker('w2', { token: credential }).start();
    await expect(fx.worker('w2').connect()).rejects.toMatchObject({ data: { code: 'UNAUTHORIZED' } });

    // New rows number after every copied one.
    const fresh = await fx.createJob({ type: 'crawl', accountId: alice.id, payload: { depth: 2 } });
    const freshRun = await waitUntil('the new crawl runs', () => back.runs.find((r) => r.jobId === fresh.id));
    expect((await back.succeed(freshRun, { items: 5 })).ok).toBe(true);
    await fx.waitForJob(fresh.id, 'succeeded', (j) => j.status === 'succeeded');
    const [{ seq }] = await query<{ seq: string }>(url, 'SELECT seq FROM jobs WHERE id = $1', [fresh.id]);
    expect(Number(seq)).toBeGreaterThan(sqliteMaxJobSeq);
    const [{ min }] = await query<{ min: string }>(url, 'SELECT MIN(seq) AS min FROM job_events WHERE job_id = $1', [fresh.id]);
    expect(Number(min)).toBeGreaterThan(sqliteMaxEventSeq);
    const another = await fx.createAccount({ platform: 'sandbox', label: 'dave' });
    expect((await fx.api('GET', '/accounts')).body.items.map((a: { id: string }) => a.id)).toEqual(expect.arrayContaining([alice.id, bob.id, another.id]));
  });
  describe('refusals and failures: nothing is left in the target', () => {
    const key = randomBytes(32);
    let dir: string;
    let file: string;
    beforeAll(async () => {
      dir = mkdtempSync(path.join(os.tmpdir(), 'fleet-migrate-'));
      file = path.join(dir, 'master.db');
      const store = new FleetStore(file, key);
      store.accounts.create({ platform: 'sandbox', label: 'erin', tags: [], credentials: { username: 'erin', password: 'pw-erin-1' } });
      await store.close();
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    async function refusal(work: Promise<unknown>): Promise<StoreMigrationRefused> {
      const error = await work.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(StoreMigrationRefused);
      return error as StoreMigrationRefused;
    }

    async function tablesOf(url: string): Promise<string[]> {
      return (
        await query<{ table_name: string }>(url, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name")
      ).map((r) => r.table_name);
    }

    it('refuses a target that already holds a fleet, naming the tables and their rows, and leaves it as it was', async () => {
      const { url } = await cluster.createDatabase();
      expect((await migrateStore({ sqliteFile: file, databaseUrl: url, secretKey: key })).tables).toContainEqual({ table: 'accounts', rows: 1 });
      const again = await refusal(migrateStore({ sqliteFile: file, databaseUrl: url, secretKey: key }));
      expect(again.reason).toBe('target-not-empty');
      expect(again.message).toMatch(/accounts has 1 row\b/);
      expect(await query(url, 'SELECT label FROM accounts')).toEqual([{ label: 'erin' }]);
      // A database holding tables of something else is refused before the fleet schema goes in.
      const other = await cluster.createDatabase();
      await query(other.url, 'CREATE TABLE invoices (id INTEGER)');
      const foreign = await refusal(migrateStore({ sqliteFile: file, databaseUrl: other.url, secretKey: key }));
      expect(foreign).toMatchObject({ reason: 'target-not-empty', message: expect.stringContaining('invoices') });
      expect(await tablesOf(other.url)).toEqual(['invoices']);
    });

    it('refuses a key that does not open the sealed credentials, before touching the target', async () => {
      const { url } = await cluster.createDatabase();
      const wrong = await refusal(migrateStore({ sqliteFile: file, databaseUrl: url, secretKey: randomBytes(32) }));
      expect(wrong.reason).toBe('wrong-key');
      expect(wrong.message).toMatch(/does not open account .+'s sealed credentials.*FLEET_SECRET_KEY/);
      expect(await tablesOf(url)).toEqual([]);
    });

    it('leaves no row behind when a row fails mid-copy, and a second run into the same database then succeeds', async () => {
      const { url } = await cluster.createDatabase();
      const broken = path.join(dir, 'broken.db');
      const db = new Database(file, { readonly: true });
      await db.backup(broken);
      db.close();
      const edit = new Database(broken);
      // SQLite keeps text in an INTEGER column; PostgreSQL's integer refuses it, after accounts were copied.
      edit
        .prepare("INSERT INTO jobs (id, type, run_after, status, timeout_ms, created_at, priority) VALUES ('j-bad', 'crawl', 0, 'queued', 1000, 0, 'high')")
        .run();
      edit.close();
      await expect(migrateStore({ sqliteFile: broken, databaseUrl: url, secretKey: key })).rejects.toThrow(
        /^copying jobs failed \(after 0 of its 1 rows\): .*integer/,
      );
      expect(await tablesOf(url)).toContain('accounts');
      expect(await query(url, 'SELECT id FROM accounts')).toEqual([]);
      const report = await migrateStore({ sqliteFile: file, databaseUrl: url, secretKey: key });
      expect(report.tables).toContainEqual({ table: 'accounts', rows: 1 });
    });

    it('refuses a master.db with a table the copy does not know, or of another schema version, or still open in a master', async () => {
      const { url } = await cluster.createDatabase();
      const copy = path.join(dir, 'extra.db');
      const db = new Database(file, { readonly: true });
      await db.backup(copy);
      db.close();
      const extra = new Database(copy);
      extra.exec('CREATE TABLE scratch (note TEXT)');
      extra.close();
      const unknown = await refusal(migrateStore({ sqliteFile: copy, databaseUrl: url, secretKey: key }));
      expect(unknown).toMatchObject({ reason: 'unknown-table', message: expect.stringContaining('scratch') });

      const newer = new Database(copy);
      newer.exec("DROP TABLE scratch; INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'from the future', 0)");
      newer.close();
      const version = await refusal(migrateStore({ sqliteFile: copy, databaseUrl: url, secretKey: key }));
      expect(version).toMatchObject({ reason: 'schema-version', message: expect.stringMatching(/version 999, newer than this build's \d+/) });

      const open = new FleetStore(file, key);
      try {
        const inUse = await refusal(migrateStore({ sqliteFile: file, databaseUrl: url, secretKey: key }));
        expect(inUse).toMatchObject({ reason: 'source-in-use', message: expect.stringContaining('stop the master') });
      } finally {
        await open.close();
      }
      expect(await tablesOf(url)).toEqual([]);
    });
  });
});
