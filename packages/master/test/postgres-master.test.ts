/**
 * A whole master on PostgreSQL (FLEET_DATABASE_URL): the same REST and worker protocol as on
 * SQLite, its state in the database, and a restart that finds it all again.
 */
import { existsSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MasterFixture } from './support/master-fixture.js';
import { PostgresCluster } from './support/postgres-cluster.js';
import { waitUntil } from './support/wait-until.js';

describe('a master on PostgreSQL', () => {
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

  it('assigns, dispatches and finishes jobs, writes no SQLite file, and finds its state again after a restart', async () => {
    const { url } = await cluster.createDatabase();
    fx = await MasterFixture.start({ databaseUrl: url });
    expect(() => fx!.master.store).toThrow(/PostgreSQL/);
    const worker = await fx.worker('w1').start();
    const account = await fx.createAccount({ platform: 'sandbox', credentials: { username: 'ann', password: 'pg-secret-1' } });
    const assigned = await worker.waitForAssign(account.id);
    expect(assigned.credentials).toMatchObject({ username: 'ann', password: 'pg-secret-1' });
    const job = await fx.createJob({ type: 'crawl', accountId: account.id, payload: { page: 1 } });
    const run = await waitUntil('the crawl runs on w1', () => worker.runs.find((r) => r.jobId === job.id));
    expect((await worker.succeed(run, { items: 3 })).ok).toBe(true);
    const done = await fx.waitForJob(job.id, 'succeeded', (j) => j.status === 'succeeded');
    expect(done.result).toEqual({ items: 3 });
    expect((await fx.api('GET', `/accounts/${account.id}`)).body.credentials).toEqual({ username: 'ann', password: '********' });
    expect(existsSync(fx.dbFile)).toBe(false);

    await fx.stopMaster();
    await fx.startMaster();
    expect(await fx.job(job.id)).toMatchObject({ status: 'succeeded', result: { items: 3 } });
    const after = (await fx.api('GET', `/accounts/${account.id}`)).body;
    expect(after).toMatchObject({ id: account.id, ownerWorkerId: 'w1', epoch: 1 });
    // The worker went with the old master: its account waits for it, as on SQLite.
    expect((await fx.health()).body).toMatchObject({ status: 'degraded', accounts: { total: 1, live: 0 } });
  });

  it('does not start when the database cannot be reached, and says why', async () => {
    const unreachable = `postgres://nobody@127.0.0.1:1/none`;
    await expect(MasterFixture.start({ databaseUrl: unreachable })).rejects.toThrow(/ECONNREFUSED|connect/);
  });
});
