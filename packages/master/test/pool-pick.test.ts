import { afterEach, describe, expect, it } from 'vitest';
import { MasterFixture } from './support/master-fixture.js';
import { sleep } from './support/wait-until.js';

/** Long enough for several scheduler passes (tick 50 ms) to have happened. */
const QUIET_WINDOW_MS = 300;
const POOL = 'crawlers';

describe('a pool job goes to an idle account of its pool that its owner can run now', () => {
  let fx: MasterFixture | undefined;
  afterEach(async () => {
    await fx?.close();
    fx = undefined;
  });

  it('follows accounts created into the pool, re-tagged in and out of it, deleted, and moved to another worker', async () => {
    fx = await MasterFixture.start({ accountFailoverMs: 200 });
    const first = await fx.worker('w1').start();
    const a1 = await fx.createAccount({ platform: 'sandbox', label: 'a1', tags: [POOL] });
    const a2 = await fx.createAccount({ platform: 'sandbox', label: 'a2', tags: ['elsewhere'] });
    await first.waitForAssign(a2.id);

    const j1 = await fx.createJob({ type: 'crawl', pool: POOL });
    const run1 = await first.waitForRun(0);
    expect(run1).toMatchObject({ jobId: j1.id, accountId: a1.id, epoch: 1 });

    // The pool's only account is busy: the next pool job waits, whatever is idle outside the pool.
    const j2 = await fx.createJob({ type: 'crawl', pool: POOL });
    await sleep(QUIET_WINDOW_MS);
    expect(first.runs).toHaveLength(1);
    expect((await fx.job(j2.id)).status).toBe('queued');

    // Re-tagged into the pool, the idle account takes it.
    expect((await fx.api('PATCH', `/accounts/${a2.id}`, { tags: [POOL] })).status).toBe(200);
    expect(await first.waitForRun(1)).toMatchObject({ jobId: j2.id, accountId: a2.id, epoch: 1 });
    expect((await first.succeed(run1)).ok).toBe(true);
    expect((await first.succeed(first.runs[1]!)).ok).toBe(true);
    await fx.waitForJob(j2.id, 'succeeded', (job) => job.status === 'succeeded');

    // a1 deleted, a2 re-tagged out: only an account created since is left in the pool.
    expect((await fx.api('DELETE', `/accounts/${a1.id}`)).status).toBe(204);
    expect((await fx.api('PATCH', `/accounts/${a2.id}`, { tags: ['elsewhere'] })).status).toBe(200);
    const a3 = await fx.createAccount({ platform: 'sandbox', label: 'a3', tags: [POOL] });
    await first.waitForAssign(a3.id);
    const j3 = await fx.createJob({ type: 'crawl', pool: POOL });
    expect(await first.waitForRun(2)).toMatchObject({ jobId: j3.id, accountId: a3.id, epoch: 1 });
    expect((await first.succeed(first.runs[2]!)).ok).toBe(true);
    await fx.waitForJob(j3.id, 'succeeded', (job) => job.status === 'succeeded');

    // Its worker gone, a3 moves to another worker at a new epoch; the pool job goes there, under that epoch.
    first.close();
    const second = await fx.worker('w2').start();
    const moved = await second.waitForAssign(a3.id);
    expect(moved.epoch).toBeGreaterThan(1);
    const j4 = await fx.createJob({ type: 'crawl', pool: POOL });
    expect(await second.waitForRun(0)).toMatchObject({ jobId: j4.id, accountId: a3.id, epoch: moved.epoch });
    expect(first.runs).toHaveLength(3);
  });

  it("skips pool accounts that are busy or not yet acknowledged, and waits for the owner's capacity", async () => {
    fx = await MasterFixture.start();
    const worker = await fx.worker('w1', { autoAckAssign: false }).start({ maxConcurrency: 1 });
    const a1 = await fx.createAccount({ platform: 'sandbox', label: 'a1', tags: [POOL] });
    const a2 = await fx.createAccount({ platform: 'sandbox', label: 'a2', tags: [POOL] });
    await worker.waitForAssign(a1.id);
    await worker.waitForAssign(a2.id);

    // a1 comes first in the pool, but only a2's assignment is acknowledged.
    worker.releaseAssign(a2.id);
    const j1 = await fx.createJob({ type: 'crawl', pool: POOL });
    expect(await worker.waitForRun(0)).toMatchObject({ jobId: j1.id, accountId: a2.id });

    // a1 is ready now, but the worker's one slot is taken.
    worker.releaseAssign(a1.id);
    const j2 = await fx.createJob({ type: 'crawl', pool: POOL });
    await sleep(QUIET_WINDOW_MS);
    expect(worker.runs).toHaveLength(1);
    expect((await fx.job(j2.id)).status).toBe('queued');

    expect((await worker.succeed(worker.runs[0]!)).ok).toBe(true);
    expect(await worker.waitForRun(1)).toMatchObject({ jobId: j2.id, accountId: a1.id });
  });
});
