import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { STOPPED_BROWSER, createLogger } from '@fleetwright/shared';
import { POSTGRES_MIGRATIONS, PostgresBackend, restJobLinks } from '@fleetwright/master';
import { Leadership } from '../../dist/scheduler/leadership.js';
import { PostgresCluster } from '../support/postgres-cluster.js';
import { ADMIN_TOKEN, FLEET_TOKEN, newJob } from './conformance-setup.js';

/**
 * What only a shared engine has to prove: the rules hold when several masters (each its own
 * PostgresBackend and pool) change one database at once.
 */
let cluster: PostgresCluster;
let dir: string;
const opened: PostgresBackend[] = [];

beforeAll(async () => {
  cluster = await PostgresCluster.start();
  dir = mkdtempSync(path.join(tmpdir(), 'fleet-pg-concurrency-'));
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((backend) => backend.close()));
});
afterAll(async () => {
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function open(url: string): Promise<PostgresBackend> {
  return PostgresBackend.open(url, {
    secretKey: Buffer.alloc(32, 7),
    adminToken: ADMIN_TOKEN,
    workerToken: FLEET_TOKEN,
    artifactsDir: path.join(dir, 'artifacts'),
    jobLinks: restJobLinks,
    browsers: { view: () => STOPPED_BROWSER, forget: () => undefined },
    poolSize: 12,
  }).then((backend) => {
    opened.push(backend);
    return backend;
  });
}

/** Two masters on one fresh database. */
async function twoMasters(): Promise<[PostgresBackend, PostgresBackend]> {
  const { url } = await cluster.createDatabase();
  return Promise.all([open(url), open(url)]);
}

describe('PostgreSQL backend under concurrent masters', () => {
  it('migrates a database once when two masters open it at the same time', async () => {
    const { url } = await cluster.createDatabase();
    await Promise.all([open(url), open(url)]);
    await open(url);
    const client = new pg.Client(url);
    await client.connect();
    try {
      const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
      expect(rows.map((r) => r.version)).toEqual(POSTGRES_MIGRATIONS.map((m) => m.version));
    } finally {
      await client.end();
    }
  });

  it('moves a job once when callers on both masters race to move it', async () => {
    const [a, b] = await twoMasters();
    const { row } = await a.jobs.create(newJob());
    const attempts = Array.from({ length: 16 }, (_, i) =>
      (i % 2 ? a : b).jobs.transition(row, 'dispatched', { worker_id: `w${i}`, epoch: 1, dispatched_at: Date.now() }),
    );
    const results = await Promise.allSettled(attempts);
    const moved = results.filter((r) => r.status === 'fulfilled');
    expect(moved).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'ILLEGAL_TRANSITION' });
    const events = (await b.jobs.events(row.id)).filter((e) => e.data.status === 'dispatched');
    expect(events).toHaveLength(1);
    expect((await b.jobs.require(row.id)).worker_id).toBe(moved[0]!.value.worker_id);
  });

  it('gives each of many concurrent owner changes an epoch of its own', async () => {
    const [a, b] = await twoMasters();
    await a.workers.upsert({ id: 'w1', host: 'h', version: '1', capabilities: [], maxAccounts: 9, maxConcurrency: 1, maxLiveContexts: 1 });
    const { id } = await a.accounts.create({ platform: 'sandbox' });
    const epochs = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? a : b).accounts.assignOwner(id, i % 3 ? 'w1' : null)));
    expect(epochs.map((o) => o.epoch).sort((x, y) => x - y)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect((await a.accounts.ownership(id)).epoch).toBe(12);
  });

  it('makes one job of concurrent creates under one idempotency key', async () => {
    const [a, b] = await twoMasters();
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).jobs.create(newJob({ idempotencyKey: 'once', idempotencyFingerprint: 'f' }))),
    );
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.row.id)).size).toBe(1);
    expect((await a.jobs.countByStatus()).queued).toBe(1);
  });

  it('lets two deciders in transactions pick different queued jobs, skipping the one the other holds', async () => {
    const [a, b] = await twoMasters();
    const first = (await a.jobs.create(newJob({ priority: 9 }))).row.id;
    const second = (await a.jobs.create(newJob({ priority: 1 }))).row.id;
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let picked!: () => void;
    const pickedByA = new Promise<void>((resolve) => (picked = resolve));
    const decidingA = a.transaction(async () => {
      const [job] = await a.jobs.runnable(Date.now(), 1);
      picked();
      await held;
      return job?.id;
    });
    await pickedByA;
    const byB = await b.transaction(async () => (await b.jobs.runnable(Date.now(), 1))[0]?.id);
    release();
    expect(await decidingA).toBe(first);
    expect(byB).toBe(second);
    // Outside a transaction nothing is held: the queue reads whole.
    expect((await b.jobs.runnable(Date.now(), 10)).map((j) => j.id)).toEqual([first, second]);
  });

  it("keeps answering after another master's migration changes the columns of a table it reads (its prepared statements are made anew)", async () => {
    const { url } = await cluster.createDatabase();
    const a = await open(url);
    const { row } = await a.jobs.create(newJob());
    // Prepared on several connections at once, and on a transaction's.
    await Promise.all(Array.from({ length: 6 }, () => a.jobs.require(row.id)));
    await a.transaction(() => a.jobs.require(row.id));
    const client = new pg.Client(url);
    await client.connect();
    try {
      await client.query('ALTER TABLE jobs ADD COLUMN added_later TEXT');
    } finally {
      await client.end();
    }
    for (const read of await Promise.all(Array.from({ length: 6 }, () => a.jobs.require(row.id))))
      expect(read).toMatchObject({ id: row.id, added_later: null });
    expect(await a.transaction(() => a.jobs.require(row.id))).toMatchObject({ id: row.id, added_later: null });
  });

  it('refuses a second enrollment once a credential is confirmed, whichever master confirmed it', async () => {
    const [a, b] = await twoMasters();
    const credential = await a.workerCredentials.enroll('w1', FLEET_TOKEN);
    await b.workerCredentials.confirm('w1');
    await expect(a.workerCredentials.enroll('w1', FLEET_TOKEN)).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await b.workerCredentials.authenticate('w1', credential)).toBe('credential');
  });
  it("makes a takeover wait for the deposed leader's fenced transaction, which lands first; after that the old leader writes nothing", async () => {
    const [a, b] = await twoMasters();
    const old = await a.leases.acquire('scheduler', 'a', 300);
    let release!: () => void;
    const hold = new Promise<void>((resolve) => (release = resolve));
    let checked!: () => void;
    const fenceChecked = new Promise<void>((resolve) => (checked = resolve));
    const decision = a.transaction(async () => {
      await a.leases.assertHeld('scheduler', 'a', old!.epoch);
      checked();
      await hold;
      await a.jobs.create(newJob({ idempotencyKey: 'last-of-a' }));
    });
    await fenceChecked;
    await new Promise((resolve) => setTimeout(resolve, 450));
    // The lease has lapsed, but a's decision still holds the row: b's takeover waits for it.
    let takenAt: number | undefined;
    const takeover = b.leases.acquire('scheduler', 'b', 60_000).then((lease) => {
      takenAt = Date.now();
      return lease;
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(takenAt).toBeUndefined();
    release();
    await decision;
    expect(await takeover).toMatchObject({ holder: 'b', epoch: 2 });
    expect((await b.jobs.countByStatus()).queued).toBe(1);
    await expect(
      a.transaction(async () => {
        await a.leases.assertHeld('scheduler', 'a', old!.epoch);
        await a.jobs.create(newJob({ idempotencyKey: 'after-takeover' }));
      }),
    ).rejects.toMatchObject({ code: 'NOT_LEADER' });
    expect((await b.jobs.countByStatus()).queued).toBe(1);
  });

  it('gives a free lease, and then a lapsed one, to exactly one of many masters bidding at once', async () => {
    const [a, b] = await twoMasters();
    const bid = (holder: string) => (holder.charCodeAt(1) % 2 ? a : b).leases.acquire('scheduler', holder, 400);
    const holders = Array.from({ length: 8 }, (_, i) => `m${i}`);
    const first = (await Promise.all(holders.map(bid))).filter((lease) => lease !== undefined);
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({ epoch: 1 });
    await new Promise((resolve) => setTimeout(resolve, 550));
    const second = (await Promise.all(holders.map(bid))).filter((lease) => lease !== undefined);
    expect(second).toHaveLength(1);
    expect(second[0]).toMatchObject({ epoch: 2 });
    expect(await a.leases.current('scheduler')).toMatchObject({ holder: second[0]!.holder, epoch: 2 });
    await b.transaction(() => b.leases.assertHeld('scheduler', second[0]!.holder, 2));
  });

  it('keeps the lead and its epoch while its own fenced transaction stays open for several lease lives (renewing never waits for it)', async () => {
    const [a, b] = await twoMasters();
    const ttlMs = 300;
    const leadership = new Leadership(a.leases, { masterId: 'a', ttlMs }, createLogger({ name: 'test', console: false }));
    const changes: (number | undefined)[] = [];
    try {
      await leadership.start();
      const epoch = leadership.currentEpoch;
      expect(epoch).toBe(1);
      leadership.onChange((_leading, to) => changes.push(to));
      // A long decision batch: it holds the fence for four lease lives while the renewals go on.
      const longBatch = a.transaction(async () => {
        await leadership.fence();
        await new Promise((resolve) => setTimeout(resolve, 4 * ttlMs));
        await a.jobs.create(newJob({ idempotencyKey: 'long-batch' }));
      });
      await longBatch;
      expect(changes).toEqual([]);
      expect(leadership.currentEpoch).toBe(epoch);
      expect(await b.leases.current('scheduler')).toMatchObject({ holder: 'a', epoch });
      expect(await b.leases.acquire('scheduler', 'b', ttlMs)).toBeUndefined();
      await a.transaction(async () => {
        await leadership.fence();
        await a.jobs.create(newJob({ idempotencyKey: 'after-long-batch' }));
      });
      expect((await b.jobs.countByStatus()).queued).toBe(2);
    } finally {
      await leadership.stop();
    }
  });
});
