/**
 * A leader whose lease lapsed (a long batch held its renewal back) and that takes it again under a
 * new epoch rebuilds its view, as any newly elected master does: its workers must register again
 * with it, or it would see them offline for good while their sockets stay open.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MasterProcess } from '../../packages/master/test/support/master-process.js';
import { PostgresCluster } from '../../packages/master/test/support/postgres-cluster.js';
import { JobRunningWorker, RunLedger } from '../support/job-running-worker.js';
import { healthOf, jobStatusCounts, queryDatabase } from '../support/master-group.js';
import { waitFor } from '../support/wait-for.js';

describe('a leader that takes its lapsed lease again', () => {
  let cluster: PostgresCluster;
  let master: MasterProcess | undefined;
  let worker: JobRunningWorker | undefined;
  beforeAll(async () => {
    cluster = await PostgresCluster.start();
  });
  afterAll(() => cluster?.stop());
  afterEach(async () => {
    worker?.close();
    await master?.close();
  });

  it('has its workers register again and goes on dispatching', async () => {
    const { url } = await cluster.createDatabase();
    master = await MasterProcess.create({ env: { FLEET_DATABASE_URL: url, FLEET_MASTER_ID: 'master-a', FLEET_LEADER_LEASE_MS: '1500' } });
    await master.start();
    await waitFor('master-a to lead', async () => ((await healthOf(master!.url))?.masters?.leading ? true : undefined), 15_000);
    worker = new JobRunningWorker({ workerId: 'w1', masterUrls: [master.url], token: master.workerToken, ledger: new RunLedger(), runMs: 20 });
    worker.start();
    const account = (await master.api('POST', '/accounts', { platform: 'sandbox' })).body;
    await master.api('POST', '/jobs', { type: 'crawl', accountId: account.id });
    await waitFor('the first job to succeed', async () => ((await jobStatusCounts(url)).succeeded === 1 ? true : undefined), 15_000);

    // The lease lapses under the leader; its next renewal takes it again under a higher epoch.
    const [{ epoch }] = await queryDatabase<{ epoch: string }>(url, 'SELECT epoch FROM leases');
    await queryDatabase(url, 'UPDATE leases SET expires_at = 0');
    await waitFor(
      'a higher epoch',
      async () => {
        const [lease] = await queryDatabase<{ epoch: string; holder: string }>(url, 'SELECT epoch, holder FROM leases');
        return lease && Number(lease.epoch) > Number(epoch) && lease.holder === 'master-a' ? true : undefined;
      },
      15_000,
    );

    await master.api('POST', '/jobs', { type: 'crawl', accountId: account.id });
    await waitFor('the job after the new epoch to succeed', async () => ((await jobStatusCounts(url)).succeeded === 2 ? true : undefined), 20_000);
    expect((await master.api('GET', '/workers')).body.items).toMatchObject([{ id: 'w1', status: 'online' }]);
  });
});
