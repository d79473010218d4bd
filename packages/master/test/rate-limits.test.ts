import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ClientEvent, MasterEvent, type JobProgressEvent, type JobRun } from '@fleetwright/shared';
import { MasterFixture } from './support/master-fixture.js';
import type { SimulatedWorker } from './support/simulated-worker.js';
import { waitUntil } from './support/wait-until.js';
import { busiestWindow } from '@fleetwright/sandbox';

/** Reports every job it is given as succeeded, as soon as it gets it. */
function succeedEverything(worker: SimulatedWorker): void {
  worker.socket.on(MasterEvent.JobRun, (run: JobRun) => void worker.succeed(run));
}

describe('limits hold jobs in the queue until they may start, and a platform throttle pauses its scope', () => {
  let fx: MasterFixture;
  beforeEach(async () => {
    fx = await MasterFixture.start();
  });
  afterEach(async () => {
    await fx?.close();
  });

  /**
   * When the master dispatched each of the jobs: the dispatch time it counts (the pass's clock),
   * not the timeline's, which is written a moment later in the pass.
   */
  function dispatchTimes(jobIds: string[]): number[] {
    return jobIds.map((id) => runTimes(id).dispatched_at);
  }

  function runTimes(jobId: string): { dispatched_at: number; finished_at: number } {
    return fx.master.store.db.prepare('SELECT dispatched_at, finished_at FROM jobs WHERE id = ?').get(jobId) as { dispatched_at: number; finished_at: number };
  }

  async function putLimit(body: Record<string, unknown>): Promise<any> {
    const res = await fx.api('PUT', '/limits', body);
    if (res.status !== 200) throw new Error(`PUT /limits: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  it('refuses bad limit definitions with the field that is wrong, and stores none of them', async () => {
    const base = { scope: 'account', target: 'acc-1', jobType: 'crawl' };
    const cases: [Record<string, unknown>, string][] = [
      [{ ...base, rule: { max: -1, windowMs: 1000 } }, 'rule.max'],
      [{ ...base, rule: { max: 5, windowMs: 0 } }, 'rule.windowMs'],
      [{ ...base, rule: { concurrency: -2 } }, 'rule.concurrency'],
      [{ ...base, rule: { max: 5 } }, 'rule.windowMs'],
      [{ ...base, rule: {} }, 'rule.max'],
      [{ ...base, scope: 'galaxy', rule: { concurrency: 1 } }, 'scope'],
      [{ ...base, jobType: 'Not A Type', rule: { concurrency: 1 } }, 'jobType'],
      [{ ...base, rule: { concurrency: 1, burst: 3 } }, 'rule.burst'],
    ];
    for (const [body, field] of cases) {
      const res = await fx.api('PUT', '/limits', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED', field });
    }
    expect((await fx.api('GET', '/limits')).body).toEqual({ items: [], defaults: [], pauses: [] });
    expect((await fx.api('DELETE', '/limits/account:acc-1:crawl')).status).toBe(404);
  });

  it('starts at most `max` jobs of the type per window on an account, says which limit holds the rest, and runs them all', async () => {
    const worker = await fx.worker('w1').start();
    succeedEverything(worker);
    const account = await fx.createAccount();
    const progress: JobProgressEvent[] = [];
    const client = fx.client();
    client.on(ClientEvent.JobProgress, (event) => progress.push(event));
    await new Promise<void>((resolve) => {
      client.once('connect', () => resolve());
      client.connect();
    });
    const limit = await putLimit({ scope: 'account', target: account.id, jobType: 'crawl', rule: { max: 3, windowMs: 800 } });
    expect(limit).toMatchObject({ id: `account:${account.id}:crawl`, rule: { max: 3, windowMs: 800 } });

    const jobs = [];
    for (let i = 0; i < 10; i++) jobs.push(await fx.createJob({ type: 'crawl', accountId: account.id, payload: { n: i } }));
    const held = await fx.waitForJob(jobs[3].id, 'held', (job) => job.heldBy !== undefined);
    expect(held).toMatchObject({ status: 'queued', heldBy: { limit: `account:${account.id}:crawl`, until: expect.any(String) } });
    for (const job of jobs) await fx.waitForJob(job.id, 'succeeded', (j) => j.status === 'succeeded', 15_000);

    const times = dispatchTimes(jobs.map((j) => j.id));
    expect(times).toHaveLength(10);
    expect(busiestWindow(times, 800)).toBeLessThanOrEqual(3);
    // A job counts until a window after it ends, so what the platform sees of any window stays within the rate too.
    for (let i = 0; i + 3 < jobs.length; i++) expect(runTimes(jobs[i + 3].id).dispatched_at).toBeGreaterThan(runTimes(jobs[i].id).finished_at + 800);
    for (const job of jobs) expect((await fx.job(job.id)).attempt).toBe(1);
    // Submission order within the account holds: each job started after the one before it.
    const order = worker.runs.map((r) => r.jobId);
    expect(order).toEqual(jobs.map((j) => j.id));
    // The hold is on the job's timeline and was announced as its progress.
    expect(progress.some((p) => p.jobId === jobs[3].id && p.progress.step === 'held' && p.progress.message?.includes(limit.id))).toBe(true);
    client.disconnect();
  });

  it('holds a platform-wide limit across three workers', async () => {
    const workers = [];
    for (const id of ['w1', 'w2', 'w3']) {
      const worker = await fx.worker(id).start({ maxAccounts: 2 });
      succeedEverything(worker);
      workers.push(worker);
    }
    const accounts = [];
    for (let i = 0; i < 6; i++) accounts.push(await fx.createAccount());
    await putLimit({ scope: 'platform', target: 'sandbox', jobType: 'login', rule: { max: 2, windowMs: 600 } });

    const jobs = [];
    for (const account of accounts) for (let i = 0; i < 2; i++) jobs.push(await fx.createJob({ type: 'login', accountId: account.id }));
    for (const job of jobs) await fx.waitForJob(job.id, 'succeeded', (j) => j.status === 'succeeded', 15_000);

    expect(new Set(workers.filter((w) => w.runs.length > 0).map((w) => w.id)).size).toBe(3);
    expect(busiestWindow(dispatchTimes(jobs.map((j) => j.id)), 600)).toBeLessThanOrEqual(2);
  });

  it('caps how many jobs of a type run at once, and starts the next as one ends', async () => {
    const worker = await fx.worker('w1').start();
    const accounts = [await fx.createAccount(), await fx.createAccount(), await fx.createAccount()];
    await putLimit({ scope: 'platform', target: 'sandbox', jobType: 'crawl', rule: { concurrency: 1 } });
    const jobs = [];
    for (const account of accounts) jobs.push(await fx.createJob({ type: 'crawl', accountId: account.id }));

    const first = await worker.waitForRun(0);
    const waiting = jobs.filter((j) => j.id !== first.jobId);
    const held = await fx.waitForJob(waiting[0].id, 'held', (job) => job.heldBy !== undefined);
    expect(held.heldBy).toEqual({ limit: 'platform:sandbox:crawl', until: null });
    expect(worker.runs).toHaveLength(1);

    await worker.succeed(first);
    const second = await worker.waitForRun(1);
    expect(waiting.map((j) => j.id)).toContain(second.jobId);
    // Its `held` step ends as it goes.
    expect((await fx.job(second.jobId)).progress).toMatchObject({ step: 'queued', message: null });
    expect(worker.runs).toHaveLength(2);
    await worker.succeed(second);
    await worker.succeed(await worker.waitForRun(2));
    for (const job of jobs) await fx.waitForJob(job.id, 'succeeded', (j) => j.status === 'succeeded');
  });

  it("applies a plugin's declared default per account, which an operator's limit overrides", async () => {
    const worker = await fx.worker('w1').start({
      capabilities: [{ platform: 'sandbox', jobTypes: ['crawl', 'login'], limits: { crawl: { account: { max: 1, windowMs: 60_000 } } } }],
    });
    succeedEverything(worker);
    const account = await fx.createAccount();
    expect((await fx.api('GET', '/limits')).body.defaults).toEqual([
      { id: 'plugin:account:sandbox:crawl', scope: 'account', platform: 'sandbox', jobType: 'crawl', rule: { max: 1, windowMs: 60_000 } },
    ]);
    const first = await fx.createJob({ type: 'crawl', accountId: account.id });
    const second = await fx.createJob({ type: 'crawl', accountId: account.id });
    await fx.waitForJob(first.id, 'succeeded', (j) => j.status === 'succeeded');
    expect((await fx.waitForJob(second.id, 'held', (j) => j.heldBy !== undefined)).heldBy.limit).toBe('plugin:account:sandbox:crawl');

    await putLimit({ scope: 'account', target: account.id, jobType: 'crawl', rule: { max: 2, windowMs: 60_000 } });
    await fx.waitForJob(second.id, 'succeeded', (j) => j.status === 'succeeded');
  });

  it('sends a pool job to an account of the pool whose limit allows it', async () => {
    const worker = await fx.worker('w1').start();
    succeedEverything(worker);
    const first = await fx.createAccount({ platform: 'sandbox', tags: ['team'] });
    const second = await fx.createAccount({ platform: 'sandbox', tags: ['team'] });
    await putLimit({ scope: 'account', target: first.id, jobType: 'crawl', rule: { max: 1, windowMs: 60_000 } });
    const own = await fx.createJob({ type: 'crawl', accountId: first.id });
    await fx.waitForJob(own.id, 'succeeded', (j) => j.status === 'succeeded');

    // The pool's first account in creation order is `first`, which would take it but for its limit.
    const pooled = await fx.createJob({ type: 'crawl', pool: 'team' });
    const done = await fx.waitForJob(pooled.id, 'succeeded', (j) => j.status === 'succeeded');
    expect(done.accountId).toBe(second.id);

    // With every account of the pool at its limit, a pool job waits in the queue, held, until one allows it.
    await putLimit({ scope: 'account', target: second.id, jobType: 'crawl', rule: { max: 1, windowMs: 60_000 } });
    const waiting = await fx.createJob({ type: 'crawl', pool: 'team' });
    const held = await fx.waitForJob(waiting.id, 'held', (j) => j.heldBy !== undefined);
    expect(held).toMatchObject({ status: 'queued', accountId: null, heldBy: { limit: expect.stringMatching(/^account:/) } });
    await putLimit({ scope: 'account', target: first.id, jobType: 'crawl', rule: { max: 2, windowMs: 60_000 } });
    const ran = await fx.waitForJob(waiting.id, 'succeeded', (j) => j.status === 'succeeded');
    expect(ran).toMatchObject({ accountId: first.id, progress: { step: 'done' } });
  });

  it('keeps limits and their windows across a master restart, and applies a loosened limit at once', async () => {
    let worker = await fx.worker('w1').start();
    succeedEverything(worker);
    const account = await fx.createAccount();
    await putLimit({ scope: 'account', target: account.id, jobType: 'crawl', rule: { max: 2, windowMs: 120_000 } });
    const jobs = [];
    for (let i = 0; i < 3; i++) jobs.push(await fx.createJob({ type: 'crawl', accountId: account.id }));
    await fx.waitForJob(jobs[1].id, 'succeeded', (j) => j.status === 'succeeded');
    await fx.waitForJob(jobs[2].id, 'held', (j) => j.heldBy !== undefined);

    await fx.stopMaster();
    await fx.startMaster();
    worker = await fx.worker('w1').start();
    succeedEverything(worker);
    expect((await fx.api('GET', '/limits')).body.items).toEqual([
      expect.objectContaining({ id: `account:${account.id}:crawl`, rule: { max: 2, windowMs: 120_000 } }),
    ]);
    const held = await fx.waitForJob(jobs[2].id, 'held after the restart', (j) => j.heldBy !== undefined);
    expect(held).toMatchObject({ status: 'queued', heldBy: { limit: `account:${account.id}:crawl` } });
    expect(worker.runs).toEqual([]);

    await putLimit({ scope: 'account', target: account.id, jobType: 'crawl', rule: { max: 3, windowMs: 120_000 } });
    await fx.waitForJob(jobs[2].id, 'succeeded', (j) => j.status === 'succeeded');
    expect((await fx.api('DELETE', `/limits/account:${account.id}:crawl`)).status).toBe(204);
    expect((await fx.api('GET', '/limits')).body.items).toEqual([]);
  });

  it('pauses only the throttled account on a rate_limited result: its job keeps its attempt and runs after the pause, others run on', async () => {
    const worker = await fx.worker('w1').start();
    const throttled = await fx.createAccount();
    const other = await fx.createAccount();
    const job = await fx.createJob({ type: 'crawl', accountId: throttled.id, maxAttempts: 1 });
    const run = await worker.waitForRun(0);
    const ack = await worker.result({ ...run, status: 'rate_limited', retryAfterMs: 2_000, scope: 'account', message: '429 from the platform' });
    expect(ack.ok).toBe(true);

    const requeued = await fx.waitForJob(job.id, 'requeued', (j) => j.status === 'queued');
    expect(requeued).toMatchObject({ attempt: 1, maxAttempts: 1, error: expect.objectContaining({ code: 'RATE_LIMITED' }) });
    // The same report sent again (its answer lost) is acknowledged, not refused, and changes nothing.
    expect((await worker.result({ ...run, status: 'rate_limited', retryAfterMs: 2_000, scope: 'account', message: '429 from the platform' })).ok).toBe(true);
    expect(fx.refusedReports()).toEqual([]);
    const paused = (await fx.api('GET', `/accounts/${throttled.id}`)).body;
    expect(Date.parse(paused.pausedUntil)).toBeGreaterThan(Date.now());
    expect((await fx.api('GET', `/accounts/${other.id}`)).body.pausedUntil).toBeNull();
    expect((await fx.api('GET', '/limits')).body.pauses).toEqual([
      { scope: 'account', target: throttled.id, until: paused.pausedUntil, reason: '429 from the platform' },
    ]);

    // Another account runs on while the throttled one waits.
    const elsewhere = await fx.createJob({ type: 'crawl', accountId: other.id });
    const otherRun = await worker.waitForRun(1);
    expect(otherRun.jobId).toBe(elsewhere.id);
    expect((await fx.job(job.id)).status).toBe('queued');
    const second = await fx.createJob({ type: 'crawl', accountId: throttled.id });
    expect((await fx.waitForJob(job.id, 'held by the pause', (j) => j.heldBy !== undefined)).heldBy).toEqual({
      limit: `pause:account:${throttled.id}`,
      until: paused.pausedUntil,
    });
    const metrics = await (await fetch(`${fx.url}/metrics`)).text();
    expect(metrics).toContain('fleet_limit_pauses{scope="account"} 1');
    expect(metrics).toContain('fleet_limit_pauses{scope="platform"} 0');
    expect(metrics).toContain(`fleet_jobs_held{limit="pause:account:${throttled.id}"} 1`);
    await worker.succeed(otherRun);

    // After the pause the same attempt runs again (its only one), then the account's next job.
    const again = await worker.waitForRun(2, 10_000);
    expect(again).toMatchObject({ jobId: job.id, attempt: 1 });
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(paused.pausedUntil));
    await worker.succeed(again);
    expect(await fx.waitForJob(job.id, 'succeeded', (j) => j.status === 'succeeded')).toMatchObject({ attempt: 1 });
    await worker.succeed(await worker.waitForRun(3));
    await fx.waitForJob(second.id, 'succeeded', (j) => j.status === 'succeeded');
    // A re-sent report of the throttled run is not applied to the finished job.
    await worker.result({ ...run, status: 'rate_limited', retryAfterMs: 60_000, scope: 'account' });
    expect((await fx.job(job.id)).status).toBe('succeeded');
    expect((await fx.api('GET', `/accounts/${throttled.id}`)).body.pausedUntil).toBeNull();
  });

  it('pauses every account of the platform on a platform-scoped rate_limited result', async () => {
    const worker = await fx.worker('w1').start({
      capabilities: [
        { platform: 'sandbox', jobTypes: ['crawl'] },
        { platform: 'elsewhere', jobTypes: ['crawl'] },
      ],
    });
    const first = await fx.createAccount();
    const second = await fx.createAccount();
    const foreign = await fx.createAccount({ platform: 'elsewhere' });
    await fx.createJob({ type: 'crawl', accountId: first.id });
    const run = await worker.waitForRun(0);
    await worker.result({ ...run, status: 'rate_limited', retryAfterMs: 60_000, scope: 'platform' });

    const held = await fx.createJob({ type: 'crawl', accountId: second.id });
    const free = await fx.createJob({ type: 'crawl', accountId: foreign.id });
    expect((await worker.waitForRun(1)).jobId).toBe(free.id);
    expect((await fx.waitForJob(held.id, 'held', (j) => j.heldBy !== undefined)).heldBy.limit).toBe('pause:platform:sandbox');
    expect((await fx.api('GET', `/accounts/${second.id}`)).body.pausedUntil).toEqual(expect.any(String));
    expect((await fx.api('GET', `/accounts/${foreign.id}`)).body.pausedUntil).toBeNull();
  });

  it('puts off a monitor run that a limit would hold until the limit allows it', async () => {
    const worker = await fx.worker('w1').start();
    succeedEverything(worker);
    const account = await fx.createAccount();
    await putLimit({ scope: 'account', target: account.id, jobType: 'crawl', rule: { max: 1, windowMs: 60_000 } });
    const monitor = (await fx.api('POST', '/monitors', { accountId: account.id, minIntervalMs: 1000, maxIntervalMs: 1500 })).body;
    const firstRun = await worker.waitForRun(0);
    await fx.waitForJob(firstRun.jobId, 'succeeded', (j) => j.status === 'succeeded');
    const endedAt = runTimes(firstRun.jobId).finished_at;

    const waiting = await waitUntil('the monitor to wait for the limit', async () => {
      const view = (await fx.api('GET', `/monitors/${monitor.id}`)).body;
      return Date.parse(view.nextRunAt) > endedAt + 60_000 ? view : undefined;
    });
    // Its jitter stays: the run is put off to the window's end plus up to max - min.
    expect(Date.parse(waiting.nextRunAt)).toBeLessThanOrEqual(endedAt + 60_000 + 1 + 500);
    expect(waiting.runs).toBe(1);
    expect(worker.runs).toHaveLength(1);
    expect((await fx.api('GET', '/jobs?status=queued')).body.items).toEqual([]);
  });
});
