import { afterEach, describe, expect, it } from 'vitest';
import { MasterFixture } from './support/master-fixture.js';
import { waitUntil } from './support/wait-until.js';

const HEARTBEAT_MS = 200;
/** The smallest job deadline the API accepts. */
const LEASE_MS = 1_000;
/** A dispatched job's lease lasts its timeoutMs plus 3 heartbeat intervals of grace. */
const GRACE_MS = 3 * HEARTBEAT_MS;

describe('a job whose lease expired without a result', () => {
  let fx: MasterFixture;
  afterEach(async () => {
    await fx?.close();
  });

  it('is requeued as attempt 2 with TIMEOUT and cancelled on its worker, while a job within its lease is left alone', async () => {
    fx = await MasterFixture.start({ heartbeatIntervalMs: HEARTBEAT_MS });
    const worker = await fx.worker('w1', { heartbeatEveryMs: HEARTBEAT_MS / 2 }).start();
    const short = await fx.createAccount();
    const long = await fx.createAccount();
    const expiring = await fx.createJob({ type: 'crawl', accountId: short.id, timeoutMs: LEASE_MS });
    const healthy = await fx.createJob({ type: 'crawl', accountId: long.id, timeoutMs: 60_000 });
    await waitUntil('both jobs sent to w1', () => (worker.runs.length === 2 ? true : undefined));
    const firstRun = worker.runs.find((r) => r.jobId === expiring.id)!;
    await fx.waitForJob(expiring.id, 'running', (j) => j.status === 'running');

    const cancel = await waitUntil('job:cancel for the expired job', () => worker.cancels.find((c) => c.jobId === expiring.id), 4_000);
    const cancelSeenAt = Date.now();
    expect(cancel.reason).toMatch(/lease/);
    const retried = await fx.waitForJob(expiring.id, 'back as attempt 2', (j) => j.attempt === 2);
    expect(retried.error).toMatchObject({ code: 'TIMEOUT' });
    const events = (await fx.api('GET', `/jobs/${expiring.id}/events`)).body.items;
    // Not before the lease ran out: it runs from the dispatch (the test sees the job:run a moment later, more so on a busy host).
    const dispatched = events.find((e: { kind: string; data: { status?: string } }) => e.kind === 'status' && e.data.status === 'dispatched');
    expect(cancelSeenAt - Date.parse(dispatched.at)).toBeGreaterThanOrEqual(LEASE_MS + GRACE_MS - 100);
    expect(events).toContainEqual(expect.objectContaining({ kind: 'status', data: expect.objectContaining({ from: 'running', status: 'queued' }) }));

    // The healthy job was not touched.
    expect(worker.cancels.map((c) => c.jobId)).toEqual([expiring.id]);
    expect(await fx.job(healthy.id)).toMatchObject({ status: 'running', attempt: 1, error: null });

    // Attempt 2 runs; the late result of attempt 1 is acknowledged and ignored.
    const secondRun = await waitUntil('attempt 2 sent to w1', () => worker.runs.find((r) => r.jobId === expiring.id && r.attempt === 2));
    expect((await worker.succeed(firstRun, { attempt: 1 })).ok).toBe(true);
    expect(await fx.job(expiring.id)).toMatchObject({ attempt: 2, result: null });
    expect(['dispatched', 'running']).toContain((await fx.job(expiring.id)).status);
    expect((await worker.succeed(secondRun, { attempt: 2 })).ok).toBe(true);
    expect(await fx.waitForJob(expiring.id, 'succeeded', (j) => j.status === 'succeeded')).toMatchObject({ attempt: 2, result: { attempt: 2 } });
  });

  it('fails a job whose lease expired on its last attempt with TIMEOUT', async () => {
    fx = await MasterFixture.start({ heartbeatIntervalMs: HEARTBEAT_MS });
    const worker = await fx.worker('w1', { heartbeatEveryMs: HEARTBEAT_MS / 2 }).start();
    const account = await fx.createAccount();
    const job = await fx.createJob({ type: 'crawl', accountId: account.id, timeoutMs: LEASE_MS, maxAttempts: 1 });
    await worker.waitForRun(0);

    const failed = await fx.waitForJob(job.id, 'failed', (j) => j.status === 'failed', 4_000);
    expect(failed).toMatchObject({ attempt: 1, error: { code: 'TIMEOUT' }, finishedAt: expect.any(String) });
    await waitUntil('job:cancel sent to w1', () => worker.cancels.find((c) => c.jobId === job.id));
    expect(worker.runs).toHaveLength(1);
  });
});
