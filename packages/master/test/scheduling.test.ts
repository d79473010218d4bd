import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MasterFixture } from './support/master-fixture.js';
import { sleep, waitUntil } from './support/wait-until.js';

/** Long enough for several scheduler passes (tick 50 ms) to have happened. */
const QUIET_WINDOW_MS = 300;

describe('the scheduler assigns accounts to capable workers and dispatches within the limits', () => {
  let fx: MasterFixture;
  beforeEach(async () => {
    fx = await MasterFixture.start();
  });
  afterEach(async () => {
    await fx?.close();
  });

  async function waitForStatus(jobId: string, status: string): Promise<any> {
    return waitUntil(`job ${jobId} to be ${status}`, async () => {
      const job = await fx.job(jobId);
      return job.status === status ? job : undefined;
    });
  }

  it('assigns an account at epoch 1 to a worker that declared its platform, not to one that did not', async () => {
    const other = await fx.worker('w1').start({ capabilities: [{ platform: 'elsewhere', jobTypes: ['crawl'] }] });
    const capable = await fx.worker('w2').start();
    const account = await fx.createAccount({ platform: 'sandbox' });

    const assign = await capable.waitForAssign(account.id);
    expect(assign).toMatchObject({ accountId: account.id, platform: 'sandbox', epoch: 1, credentials: null, proxy: null });
    await sleep(QUIET_WINDOW_MS);
    expect(other.assigns).toEqual([]);
    expect((await fx.api('GET', `/accounts/${account.id}`)).body).toMatchObject({ ownerWorkerId: 'w2', epoch: 1 });
  });

  it('dispatches a job only after the owner acknowledged the assignment', async () => {
    const worker = await fx.worker('w1', { autoAckAssign: false }).start();
    const account = await fx.createAccount();
    const job = await fx.createJob({ type: 'crawl', accountId: account.id, payload: { depth: 2 } });
    await worker.waitForAssign(account.id);

    await sleep(QUIET_WINDOW_MS);
    expect(worker.runs).toEqual([]);
    expect((await fx.job(job.id)).status).toBe('queued');

    worker.releaseAssign(account.id);
    const run = await worker.waitForRun(0);
    expect(run).toEqual({
      jobId: job.id,
      accountId: account.id,
      epoch: 1,
      platform: 'sandbox',
      type: 'crawl',
      payload: { depth: 2 },
      attempt: 1,
      timeoutMs: expect.any(Number),
    });
    const running = await waitForStatus(job.id, 'running');
    expect(running).toMatchObject({ workerId: 'w1', epoch: 1, attempt: 1, startedAt: expect.any(String) });
  });

  it('runs at most one job per account at a time, in submission order', async () => {
    const worker = await fx.worker('w1').start();
    const account = await fx.createAccount();
    const jobs = [];
    for (let i = 0; i < 3; i++) jobs.push(await fx.createJob({ type: 'crawl', accountId: account.id, payload: { n: i } }));

    for (let i = 0; i < 3; i++) {
      const run = await worker.waitForRun(i);
      expect(run.jobId).toBe(jobs[i].id);
      await sleep(QUIET_WINDOW_MS);
      expect(worker.runs).toHaveLength(i + 1); // the next job waits for this one's result
      expect((await worker.succeed(run)).ok).toBe(true);
    }
    for (const job of jobs) expect((await waitForStatus(job.id, 'succeeded')).workerId).toBe('w1');
  });

  it('re-sends an unacknowledged assignment at once when its worker reconnects', async () => {
    const first = await fx.worker('w1', { autoAckAssign: false }).start();
    const account = await fx.createAccount();
    await first.waitForAssign(account.id);
    first.close();

    const again = await fx.worker('w1').start();
    const assign = await again.waitForAssign(account.id, 2_000);
    expect(assign).toMatchObject({ accountId: account.id, epoch: 1 });
  });

  it('sends a refused assignment again, and dispatches once the worker accepts it', async () => {
    const worker = await fx.worker('w1', { autoAckAssign: false }).start();
    const account = await fx.createAccount();
    const job = await fx.createJob({ type: 'crawl', accountId: account.id });
    await worker.waitForAssign(account.id);
    worker.releaseAssign(account.id, { code: 'INTERNAL_ERROR', message: 'profile directory busy' });

    await waitUntil('the assignment to come again', () => (worker.assigns.length >= 2 ? true : undefined));
    expect(worker.assigns.map((a) => [a.accountId, a.epoch])).toEqual([
      [account.id, 1],
      [account.id, 1],
    ]);
    expect(worker.runs).toEqual([]);
    worker.releaseAssign(account.id);
    expect((await worker.waitForRun(0)).jobId).toBe(job.id);
  });

  // Two ways to find what may run: asking each idle account for its next job (few wait), and
  // reading the queue in order (more than 200 idle accounts wait). Both must give this order.
  for (const [way, fillers] of [
    ['few idle accounts wait', 0],
    ['more than 200 idle accounts wait', 205],
  ] as const) {
    it(`dispatches by priority, then runAfter, then arrival, across accounts and within one (${way})`, async () => {
      const worker = await fx.worker('w1').start({ maxAccounts: 300, maxConcurrency: 1 });
      const [a, b, c, d] = [await fx.createAccount(), await fx.createAccount(), await fx.createAccount(), await fx.createAccount()];
      const others = [];
      for (let i = 0; i < fillers; i++) others.push(await fx.createAccount());
      await waitUntil('every account live', async () => ((await fx.health()).body.accounts.live === 4 + fillers ? true : undefined), 20_000);

      await fx.createJob({ type: 'crawl', accountId: a.id });
      let run = await worker.waitForRun(0); // the worker is now full: what follows waits
      const b0 = await fx.createJob({ type: 'crawl', accountId: b.id, priority: 0 });
      const b1 = await fx.createJob({ type: 'crawl', accountId: b.id, priority: 1 });
      const c5 = await fx.createJob({ type: 'crawl', accountId: c.id, priority: 5 });
      const d5 = await fx.createJob({ type: 'crawl', accountId: d.id, priority: 5, runAfter: new Date(Date.now() - 60_000).toISOString() });
      const a9 = await fx.createJob({ type: 'crawl', accountId: a.id, priority: 9 });
      if (fillers > 0)
        expect((await fx.api('POST', '/jobs/bulk', { jobs: others.map((o) => ({ type: 'crawl', accountId: o.id, priority: -1 })) })).status).toBe(201);

      const order: string[] = [];
      for (let i = 1; i <= 5; i++) {
        expect((await worker.succeed(run)).ok).toBe(true);
        run = await worker.waitForRun(i);
        order.push(run.jobId);
      }
      expect(order).toEqual([a9.id, d5.id, c5.id, b1.id, b0.id]);
    });
  }

  it("holds a job until its runAfter, runs the account's earlier-due job first, and runs the held one once due", async () => {
    const worker = await fx.worker('w1').start();
    const account = await fx.createAccount();
    await worker.waitForAssign(account.id);
    const runAfter = new Date(Date.now() + 600).toISOString();
    const later = await fx.createJob({ type: 'crawl', accountId: account.id, priority: 9, runAfter });
    await sleep(QUIET_WINDOW_MS);
    expect(worker.runs).toEqual([]);
    const now = await fx.createJob({ type: 'crawl', accountId: account.id });
    expect((await worker.waitForRun(0)).jobId).toBe(now.id);
    expect((await worker.succeed(worker.runs[0]!)).ok).toBe(true);

    const held = await worker.waitForRun(1);
    expect(held.jobId).toBe(later.id);
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(runAfter));
  });

  it("respects the worker's maxConcurrency across accounts", async () => {
    const worker = await fx.worker('w1').start({ maxConcurrency: 2 });
    const jobs = [];
    for (let i = 0; i < 3; i++) {
      const account = await fx.createAccount({ platform: 'sandbox', label: `a${i}` });
      jobs.push(await fx.createJob({ type: 'crawl', accountId: account.id }));
    }

    await worker.waitForRun(1);
    await sleep(QUIET_WINDOW_MS);
    expect(worker.runs).toHaveLength(2);
    const statuses = await Promise.all(jobs.map(async (j) => (await fx.job(j.id)).status));
    expect(statuses.filter((s) => s === 'running')).toHaveLength(2);
    expect(statuses.filter((s) => s === 'queued')).toHaveLength(1);

    expect((await worker.succeed(worker.runs[0]!)).ok).toBe(true);
    const third = await worker.waitForRun(2);
    expect(new Set(worker.runs.map((r) => r.jobId))).toEqual(new Set(jobs.map((j) => j.id)));
    expect(third.jobId).not.toBe(worker.runs[0]!.jobId);
  });
});
