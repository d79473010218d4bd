import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MasterFixture } from './support/master-fixture.js';
import type { SimulatedWorker } from './support/simulated-worker.js';
import { sleep, waitUntil } from './support/wait-until.js';

/** Long enough for several scheduler passes (tick 50 ms) to have happened. */
const QUIET_WINDOW_MS = 300;
const FINAL_FAILURE = { code: 'AUTH_FAILED', message: 'wrong password' };

describe('batches: a parent job whose children do the work', () => {
  let fx: MasterFixture;
  let worker: SimulatedWorker;
  beforeEach(async () => {
    fx = await MasterFixture.start();
    worker = await fx.worker('w1').start();
  });
  afterEach(async () => {
    await fx?.close();
  });

  async function createBatch(body: Record<string, unknown>): Promise<any> {
    const res = await fx.api('POST', '/batches', body);
    if (res.status !== 201) throw new Error(`POST /batches: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  function runOf(jobId: string): Promise<any> {
    return waitUntil(`job:run for ${jobId}`, () => worker.runs.find((r) => r.jobId === jobId));
  }

  it('creates a running parent with its children, which run as ordinary jobs; the parent succeeds when all succeed', async () => {
    const a = await fx.createAccount();
    const b = await fx.createAccount();
    const parent = await createBatch({
      children: [
        { type: 'crawl', accountId: a.id, payload: { n: 0 } },
        { type: 'crawl', accountId: b.id, payload: { n: 1 } },
      ],
    });
    expect(parent).toMatchObject({ type: 'batch', status: 'running', accountId: null, childIds: [expect.any(String), expect.any(String)] });
    const [first, second] = parent.childIds as string[];
    expect(await fx.job(first!)).toMatchObject({ parentId: parent.id, type: 'crawl', accountId: a.id, payload: { n: 0 } });

    const runs = [await runOf(first!), await runOf(second!)];
    expect((await worker.succeed(runs[0])).ok).toBe(true);
    await fx.waitForJob(first!, 'succeeded', (j) => j.status === 'succeeded');
    expect(await fx.job(parent.id)).toMatchObject({ status: 'running', progress: { percent: 50, step: '1/2 finished' } });

    expect((await worker.succeed(runs[1])).ok).toBe(true);
    const done = await fx.waitForJob(parent.id, 'succeeded', (j) => j.status === 'succeeded');
    expect(done).toMatchObject({ progress: { percent: 100 }, error: null, finishedAt: expect.any(String) });
  });

  it("counts the parent's progress as finished children plus the current child's reported percent", async () => {
    const a = await fx.createAccount();
    const parent = await createBatch({
      children: [
        { type: 'crawl', accountId: a.id },
        { type: 'crawl', accountId: a.id },
      ],
    });
    const [first, second] = parent.childIds as string[];
    const run = await runOf(first!);
    await fx.waitForJob(first!, 'running', (j) => j.status === 'running');

    expect((await worker.progress(run, 50, 'scrolling')).ok).toBe(true);
    expect(await fx.waitForJob(first!, 'at 50%', (j) => j.progress.percent === 50)).toBeTruthy();
    // (0 finished + 0.5 of the current one) / 2 children
    expect(await fx.waitForJob(parent.id, 'at 25%', (j) => j.progress.percent === 25, 1_000)).toMatchObject({ progress: { step: '0/2 finished' } });

    expect((await worker.succeed(run)).ok).toBe(true);
    const next = await runOf(second!);
    await fx.waitForJob(second!, 'running', (j) => j.status === 'running');
    expect((await worker.progress(next, 40, 'scrolling')).ok).toBe(true);
    // (1 finished + 0.4) / 2
    expect(await fx.waitForJob(parent.id, 'at 70%', (j) => j.progress.percent === 70, 1_000)).toMatchObject({ progress: { step: '1/2 finished' } });
  });

  it('tallies a batch of 120 children to the end, recording a progress event only when the progress moved', async () => {
    const accounts = [];
    for (let i = 0; i < 6; i++) accounts.push(await fx.createAccount());
    const children = Array.from({ length: 120 }, (_, i) => ({ type: 'crawl', accountId: accounts[i % 6].id, payload: { n: i } }));
    const parent = await createBatch({ children });
    let answered = 0;
    await waitUntil(
      'every child to have run',
      async () => {
        for (; answered < worker.runs.length; answered++) expect((await worker.succeed(worker.runs[answered]!)).ok).toBe(true);
        return answered === 120 ? true : undefined;
      },
      20_000,
    );
    expect(await fx.waitForJob(parent.id, 'succeeded', (j) => j.status === 'succeeded')).toMatchObject({ progress: { percent: 100 }, error: null });

    const progress = ((await fx.api('GET', `/jobs/${parent.id}/events?limit=500`)).body.items as { kind: string; data: { percent: number; step: string } }[])
      .filter((e) => e.kind === 'progress')
      .map((e) => e.data);
    expect(progress.at(-1)).toEqual({ percent: expect.any(Number), step: '119/120 finished', message: null });
    progress.forEach((p, i) => {
      if (i > 0) expect(p).not.toEqual(progress[i - 1]);
    });
    // A child's final report (its 100 %) and its end each move the progress; its dispatch and start do not.
    expect(progress.length).toBeLessThanOrEqual(240);
  });

  it('lets the siblings of a failed child run on, then fails the parent once all finished', async () => {
    const a = await fx.createAccount();
    const b = await fx.createAccount();
    const parent = await createBatch({
      children: [
        { type: 'crawl', accountId: a.id },
        { type: 'crawl', accountId: b.id },
        { type: 'crawl', accountId: a.id },
      ],
    });
    const [failing, sibling, later] = parent.childIds as string[];

    expect((await worker.fail(await runOf(failing!), FINAL_FAILURE)).ok).toBe(true);
    await fx.waitForJob(failing!, 'failed', (j) => j.status === 'failed');
    // The queued sibling on the same account still runs, the running one is not cancelled.
    const laterRun = await runOf(later!);
    expect(worker.cancels).toEqual([]);
    expect((await fx.job(parent.id)).status).toBe('running');

    expect((await worker.succeed(await runOf(sibling!))).ok).toBe(true);
    expect((await worker.succeed(laterRun)).ok).toBe(true);
    const failed = await fx.waitForJob(parent.id, 'failed', (j) => j.status === 'failed');
    expect(failed.error).toMatchObject({ code: 'AUTH_FAILED', errorClass: 'auth' });
    expect((await fx.job(sibling!)).status).toBe('succeeded');
    expect((await fx.job(later!)).status).toBe('succeeded');
  });

  it('with stopOnFailure, the first final failure (not a retried one) cancels the unfinished siblings and fails the parent', async () => {
    const a = await fx.createAccount();
    const b = await fx.createAccount();
    const parent = await createBatch({
      stopOnFailure: true,
      children: [
        { type: 'crawl', accountId: a.id },
        { type: 'crawl', accountId: b.id, maxAttempts: 2 },
        { type: 'crawl', accountId: a.id },
      ],
    });
    const [running, flaky, queued] = parent.childIds as string[];
    const runningRun = await runOf(running!);
    const flakyRun = await runOf(flaky!);

    // A retryable failure with attempts left is not final: nothing stops.
    expect((await worker.fail(flakyRun, { code: 'NETWORK_ERROR', message: 'reset' })).ok).toBe(true);
    const retry = await waitUntil('attempt 2 of the flaky child', () => worker.runs.find((r) => r.jobId === flaky && r.attempt === 2));
    expect((await fx.job(parent.id)).status).toBe('running');
    expect(worker.cancels).toEqual([]);

    expect((await worker.fail(retry, { code: 'NETWORK_ERROR', message: 'reset again' })).ok).toBe(true);
    const failed = await fx.waitForJob(parent.id, 'failed', (j) => j.status === 'failed');
    expect(failed.error).toMatchObject({ code: 'NETWORK_ERROR', errorClass: 'network' });
    expect(await fx.waitForJob(queued!, 'cancelled', (j) => j.status === 'cancelled')).toMatchObject({ error: { code: 'JOB_CANCELLED' } });
    await waitUntil('job:cancel for the running sibling', () => worker.cancels.find((c) => c.jobId === running));

    expect(
      (
        await worker.result({
          jobId: runningRun.jobId,
          accountId: runningRun.accountId,
          epoch: runningRun.epoch,
          attempt: runningRun.attempt,
          status: 'cancelled',
        })
      ).ok,
    ).toBe(true);
    await fx.waitForJob(running!, 'cancelled', (j) => j.status === 'cancelled');
    await sleep(QUIET_WINDOW_MS);
    expect(worker.runs.some((r) => r.jobId === queued)).toBe(false);
    expect((await fx.job(parent.id)).status).toBe('failed');
  });

  it('cancelling the parent cancels its unfinished children (queued never run, running get job:cancel) and keeps the finished ones', async () => {
    const a = await fx.createAccount();
    const b = await fx.createAccount();
    const parent = await createBatch({
      children: [
        { type: 'crawl', accountId: a.id },
        { type: 'crawl', accountId: b.id },
        { type: 'crawl', accountId: b.id },
      ],
    });
    const [finished, running, queued] = parent.childIds as string[];
    expect((await worker.succeed(await runOf(finished!), { kept: true })).ok).toBe(true);
    await fx.waitForJob(finished!, 'succeeded', (j) => j.status === 'succeeded');
    const runningRun = await runOf(running!);
    await fx.waitForJob(running!, 'running', (j) => j.status === 'running');

    const res = await fx.api('POST', `/jobs/${parent.id}/cancel`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: parent.id, status: 'cancelled' });
    expect(await fx.job(queued!)).toMatchObject({ status: 'cancelled' });
    expect(await waitUntil('job:cancel for the running child', () => worker.cancels.find((c) => c.jobId === running))).toBeTruthy();
    expect(
      (
        await worker.result({
          jobId: runningRun.jobId,
          accountId: runningRun.accountId,
          epoch: runningRun.epoch,
          attempt: runningRun.attempt,
          status: 'cancelled',
        })
      ).ok,
    ).toBe(true);
    await fx.waitForJob(running!, 'cancelled', (j) => j.status === 'cancelled');

    await sleep(QUIET_WINDOW_MS);
    expect(worker.runs.some((r) => r.jobId === queued)).toBe(false);
    expect(await fx.job(finished!)).toMatchObject({ status: 'succeeded', result: { kept: true } });
    expect((await fx.job(parent.id)).status).toBe('cancelled');
    expect((await fx.api('POST', `/jobs/${parent.id}/cancel`)).status).toBe(409);
  });
});
