import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MasterFixture } from './support/master-fixture.js';
import type { SimulatedWorker } from './support/simulated-worker.js';
import { sleep, waitUntil } from './support/wait-until.js';

const MIN_MS = 1_000;
const MAX_MS = 1_200;
/** Scheduler tick (50 ms) plus HTTP and timer slack. */
const SLACK_MS = 150;

describe('monitors: a recurring job per account', () => {
  let fx: MasterFixture;
  let worker: SimulatedWorker;
  beforeEach(async () => {
    fx = await MasterFixture.start();
    worker = await fx.worker('w1').start();
  });
  afterEach(async () => {
    await fx?.close();
  });

  async function createMonitor(body: Record<string, unknown>): Promise<any> {
    const res = await fx.api('POST', '/monitors', body);
    if (res.status !== 201) throw new Error(`POST /monitors: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  async function jobsOf(accountId: string): Promise<any[]> {
    return (await fx.api('GET', `/jobs?accountId=${accountId}`)).body.items;
  }

  it('runs at once, never overlaps itself, and runs again min..max ms after the previous run finished', async () => {
    const account = await fx.createAccount();
    const monitor = await createMonitor({ accountId: account.id, payload: { depth: 1 }, minIntervalMs: MIN_MS, maxIntervalMs: MAX_MS });
    expect(monitor).toMatchObject({ accountId: account.id, type: 'crawl', paused: false, minIntervalMs: MIN_MS, maxIntervalMs: MAX_MS });

    const first = await worker.waitForRun(0, 2_000);
    expect(first).toMatchObject({ accountId: account.id, type: 'crawl', payload: { depth: 1 } });
    expect(await fx.job(first.jobId)).toMatchObject({ monitorId: monitor.id });

    // Held well past maxIntervalMs: still one job, no second run piles up behind it.
    await sleep(MAX_MS + 300);
    expect(worker.runs).toHaveLength(1);
    expect(await jobsOf(account.id)).toHaveLength(1);

    expect((await worker.succeed(first)).ok).toBe(true);
    const firstDone = await fx.waitForJob(first.jobId, 'succeeded', (j) => j.status === 'succeeded');
    const second = await worker.waitForRun(1, MAX_MS + 1_000);
    const secondJob = await fx.job(second.jobId);
    expect(secondJob.monitorId).toBe(monitor.id);
    const gap = Date.parse(secondJob.createdAt) - Date.parse(firstDone.finishedAt);
    expect(gap).toBeGreaterThanOrEqual(MIN_MS);
    expect(gap).toBeLessThanOrEqual(MAX_MS + SLACK_MS);

    expect((await worker.succeed(second)).ok).toBe(true);
    await fx.waitForJob(second.jobId, 'succeeded', (j) => j.status === 'succeeded');
    expect((await fx.api('GET', `/monitors/${monitor.id}`)).body).toMatchObject({ runs: 2, lastJobId: second.jobId });
  });

  it('creates no run while paused and runs again once resumed', async () => {
    const account = await fx.createAccount();
    const monitor = await createMonitor({ accountId: account.id, minIntervalMs: MIN_MS, maxIntervalMs: MIN_MS });
    const first = await worker.waitForRun(0, 2_000);
    expect((await worker.succeed(first)).ok).toBe(true);
    await fx.waitForJob(first.jobId, 'succeeded', (j) => j.status === 'succeeded');

    // Paused within the wait before its next run: that run never comes.
    const paused = await fx.api('POST', `/monitors/${monitor.id}/pause`);
    expect(paused.body).toMatchObject({ id: monitor.id, paused: true });
    await sleep(MIN_MS + 500);
    expect(worker.runs).toHaveLength(1);
    expect(await jobsOf(account.id)).toHaveLength(1);

    const resumed = await fx.api('POST', `/monitors/${monitor.id}/resume`);
    expect(resumed.body).toMatchObject({ paused: false });
    const resumedAt = Date.now();
    const second = await worker.waitForRun(1, 1_000);
    expect(Date.now() - resumedAt).toBeLessThan(500); // its next run was already due
    expect((await fx.job(second.jobId)).monitorId).toBe(monitor.id);
  });

  it('stops for good once deleted, even with a run in flight', async () => {
    const account = await fx.createAccount();
    const monitor = await createMonitor({ accountId: account.id, minIntervalMs: MIN_MS, maxIntervalMs: MIN_MS });
    const first = await worker.waitForRun(0, 2_000);

    expect((await fx.api('DELETE', `/monitors/${monitor.id}`)).status).toBe(204);
    expect((await worker.succeed(first)).ok).toBe(true);
    await fx.waitForJob(first.jobId, 'succeeded', (j) => j.status === 'succeeded');
    await sleep(MIN_MS + 500);
    expect(worker.runs).toHaveLength(1);
    expect((await fx.api('GET', `/monitors/${monitor.id}`)).status).toBe(404);
    expect((await fx.api('GET', `/monitors?accountId=${account.id}`)).body.items).toEqual([]);
  });

  it('lists the monitors of one account with ?accountId= and refuses an interval under 1000 ms', async () => {
    const mine = await fx.createAccount();
    const other = await fx.createAccount();
    const a = await createMonitor({ accountId: mine.id, minIntervalMs: 60_000, maxIntervalMs: 60_000 });
    await createMonitor({ accountId: other.id, minIntervalMs: 60_000, maxIntervalMs: 60_000 });
    // Each ran once at creation; their runs end here so the views are plain (see the in-flight test).
    for (let i = 0; i < 2; i++) expect((await worker.succeed(await worker.waitForRun(i))).ok).toBe(true);
    await waitUntil('both first runs finished', async () => ((await fx.api('GET', '/jobs?status=succeeded')).body.items.length === 2 ? true : undefined));

    const list = await fx.api('GET', `/monitors?accountId=${mine.id}`);
    expect(list.body.items.map((m: any) => m.id)).toEqual([a.id]);
    expect((await fx.api('GET', '/monitors')).body.items).toHaveLength(2);

    const tooFast = await fx.api('POST', '/monitors', { accountId: mine.id, minIntervalMs: 500, maxIntervalMs: 1_000 });
    expect(tooFast.status).toBe(400);
    expect(tooFast.body).toMatchObject({ code: 'VALIDATION_FAILED', field: 'minIntervalMs' });
    const inverted = await fx.api('POST', '/monitors', { accountId: mine.id, minIntervalMs: 5_000, maxIntervalMs: 2_000 });
    expect(inverted.body).toMatchObject({ code: 'VALIDATION_FAILED', field: 'maxIntervalMs' });
    expect((await fx.api('GET', `/monitors?accountId=${mine.id}`)).body.items).toHaveLength(1);
  });

  it('shows, lists and pauses a monitor while its run is in flight', async () => {
    const account = await fx.createAccount();
    const monitor = await createMonitor({ accountId: account.id, minIntervalMs: MIN_MS, maxIntervalMs: MAX_MS });
    await worker.waitForRun(0, 2_000);

    const one = await fx.api('GET', `/monitors/${monitor.id}`);
    const list = await fx.api('GET', `/monitors?accountId=${account.id}`);
    const paused = await fx.api('POST', `/monitors/${monitor.id}/pause`);
    expect([one.status, list.status, paused.status]).toEqual([200, 200, 200]);
    expect(one.body).toMatchObject({ id: monitor.id, runs: 1, lastJobId: worker.runs[0]!.jobId });
    expect(list.body.items.map((m: any) => m.id)).toEqual([monitor.id]);
    expect(paused.body).toMatchObject({ paused: true });
  });
});
