import { afterEach, describe, expect, it } from 'vitest';
import { FleetHarness } from '../support/fleet-harness.js';

/** The benchmark serves 500 accounts through one worker capped at 20 live; this is the same shape, smaller. */
const ACCOUNTS = 12;
const MAX_LIVE = 3;

describe.each(['persistent', 'shared'] as const)('many accounts through one worker with few live contexts (%s mode)', (browserMode) => {
  let fleet: FleetHarness;
  afterEach(async () => {
    await fleet?.close();
  });

  it(`serves ${ACCOUNTS} accounts with at most ${MAX_LIVE} live, hibernating the rest, and a hibernated account runs again signed in`, async () => {
    fleet = await new FleetHarness().start();
    const worker = await fleet.startWorker('w1', { browserMode, maxLiveContexts: MAX_LIVE, maxAccounts: ACCOUNTS, maxConcurrency: 2 });
    await fleet.sandboxAdmin('/users', { handle: 'many', email: 'many@sandbox.test', password: 'many-secret-1' });
    let maxLive = 0;
    const sampler = setInterval(() => (maxLive = Math.max(maxLive, worker.browsers.liveCount)), 10);
    try {
      const ids: string[] = [];
      for (let i = 0; i < ACCOUNTS; i += 1) {
        const account = await fleet.api('POST', '/accounts', {
          platform: 'sandbox',
          label: `a${i}`,
          credentials: { username: 'many', password: 'many-secret-1' },
        });
        ids.push(account.body.id);
      }
      const jobs = await Promise.all(ids.map(async (accountId) => (await fleet.api('POST', '/jobs', { type: 'login', accountId })).body.id as string));
      for (const id of jobs) expect(await fleet.waitForJob(id, undefined, 120_000)).toMatchObject({ status: 'succeeded', workerId: 'w1' });

      expect(maxLive).toBeLessThanOrEqual(MAX_LIVE);
      expect(worker.browsers.hibernatedCount).toBeGreaterThanOrEqual(ACCOUNTS - MAX_LIVE);
      // The first account was hibernated long ago: a crawl needs its session, restored from the snapshot.
      expect(worker.browsers.liveAccountIds()).not.toContain(ids[0]);
      const crawl = await fleet.api('POST', '/jobs', { type: 'crawl', accountId: ids[0] });
      expect(await fleet.waitForJob(crawl.body.id)).toMatchObject({ status: 'succeeded' });
    } finally {
      clearInterval(sampler);
    }
  });
});
