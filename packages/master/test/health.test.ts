import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HealthSchema } from '@fleetwright/shared';
import { MasterFixture } from './support/master-fixture.js';
import { waitUntil } from './support/wait-until.js';

describe('GET /health: public, in the DESIGN shape, with numbers that match the fleet', () => {
  let fx: MasterFixture;
  beforeEach(async () => {
    fx = await MasterFixture.start();
  });
  afterEach(async () => {
    await fx?.close();
  });

  it('answers without a token and reports degraded while no worker is online', async () => {
    const res = await fx.health();
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      status: 'degraded',
      workers: { online: 0, draining: 0, offline: 0 },
      accounts: { total: 0, live: 0, busy: 0 },
      jobs: { queued: 0, running: 0 },
      pools: {},
    });
  });

  it('counts workers, live and busy accounts, queued and running jobs, and idle capacity per pool', async () => {
    // Created before any worker declared a platform (the bootstrap case the master accepts); no
    // worker ever runs this platform, so the account is never live and its job stays queued.
    const orphan = await fx.createAccount({ platform: 'nowhere', label: 'orphan', tags: ['pool-c'] });
    // w2 knows no platform of ours and goes away: one offline worker.
    const gone = await fx.worker('w2').start({ capabilities: [{ platform: 'elsewhere', jobTypes: ['crawl'] }] });
    gone.close();
    const worker = await fx.worker('w1').start();

    const idle = await fx.createAccount({ platform: 'sandbox', label: 'idle', tags: ['pool-a'] });
    const busy = await fx.createAccount({ platform: 'sandbox', label: 'busy', tags: ['pool-a', 'pool-b'] });
    await worker.waitForAssign(idle.id);
    await worker.waitForAssign(busy.id);
    const running = await fx.createJob({ type: 'crawl', accountId: busy.id });
    await fx.createJob({ type: 'crawl', accountId: orphan.id });
    await worker.waitForRun(0);
    await waitUntil('job running', async () => ((await fx.job(running.id)).status === 'running' ? true : undefined));

    const res = await fx.health();
    expect(res.status).toBe(200);
    expect(HealthSchema.parse(res.body)).toEqual(res.body);
    expect(res.body).toEqual({
      status: 'ok',
      workers: { online: 1, draining: 0, offline: 1 },
      accounts: { total: 3, live: 2, busy: 1 },
      jobs: { queued: 1, running: 1 },
      pools: { 'pool-a': { capacity: 1 }, 'pool-b': { capacity: 0 }, 'pool-c': { capacity: 0 } },
    });

    // When the busy account's job ends, its pools get the capacity back.
    await worker.succeed(worker.runs[0]!);
    const after = await waitUntil('the busy account to be idle', async () => {
      const body = (await fx.health()).body;
      return body.accounts.busy === 0 ? body : undefined;
    });
    expect(after).toMatchObject({
      jobs: { queued: 1, running: 0 },
      pools: { 'pool-a': { capacity: 2 }, 'pool-b': { capacity: 1 }, 'pool-c': { capacity: 0 } },
    });
  });
});
