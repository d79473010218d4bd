import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { MasterProcess } from './support/master-process.js';
import { SimulatedWorker } from './support/simulated-worker.js';
import { sleep, waitUntil } from './support/wait-until.js';

const HEARTBEAT_MS = 300;

describe('a master killed hard loses nothing', () => {
  let proc: MasterProcess | undefined;
  let worker: SimulatedWorker | undefined;
  afterEach(async () => {
    worker?.close();
    worker = undefined;
    await proc?.close();
    proc = undefined;
  });

  async function waitForJob(id: string, what: string, predicate: (job: any) => boolean, timeoutMs = 5_000): Promise<any> {
    return waitUntil(
      `job ${id}: ${what}`,
      async () => {
        const job = (await proc!.api('GET', `/jobs/${id}`)).body;
        return predicate(job) ? job : undefined;
      },
      timeoutMs,
    );
  }

  it('after kill -9 and a restart on the same data: the running job keeps running as attempt 1, the queued one runs, an unknown claimed job is cancelled', async () => {
    proc = await MasterProcess.create({ heartbeatIntervalMs: HEARTBEAT_MS });
    await proc.start();
    // One job at a time on this worker, so the second account's job waits in the queue.
    worker = new SimulatedWorker({ workerId: 'w1', url: proc.url, token: proc.workerToken, heartbeatEveryMs: HEARTBEAT_MS / 2, reconnect: true });
    await worker.start({ maxConcurrency: 1 });

    const first = (await proc.api('POST', '/accounts', { platform: 'sandbox' })).body;
    const second = (await proc.api('POST', '/accounts', { platform: 'sandbox' })).body;
    const running = (await proc.api('POST', '/jobs', { type: 'crawl', accountId: first.id })).body;
    const run = await worker.waitForRun(0);
    expect(run).toMatchObject({ jobId: running.id, attempt: 1 });
    await waitForJob(running.id, 'running', (j) => j.status === 'running');
    const queued = (await proc.api('POST', '/jobs', { type: 'crawl', accountId: second.id })).body;
    await sleep(200);
    expect((await proc.api('GET', `/jobs/${queued.id}`)).body.status).toBe('queued');

    // The worker will also claim a job the master never heard of.
    const phantom = { jobId: randomUUID(), accountId: first.id, epoch: run.epoch };
    worker.claimRunning(phantom);

    await proc.kill();
    await waitUntil('the worker to notice the master is gone', () => (worker!.socket.connected ? undefined : true), 3_000);
    await proc.start();

    await waitUntil('the worker to re-register with the new master', () => (worker!.reregistrations.length > 0 ? true : undefined), 5_000);
    expect(worker.reregistrations[0]).toMatchObject({ ok: true });
    const cancel = await waitUntil('job:cancel for the phantom job', () => worker!.cancels.find((c) => c.jobId === phantom.jobId), 3_000);
    expect(cancel.reason).toEqual(expect.any(String));

    // Several liveness passes later, the running job is still the same run: not requeued, not re-sent.
    await sleep(4 * HEARTBEAT_MS);
    expect((await proc.api('GET', `/jobs/${running.id}`)).body).toMatchObject({ status: 'running', attempt: 1, workerId: 'w1', error: null });
    expect(worker.runs.map((r) => r.jobId)).toEqual([running.id]);
    expect(worker.cancels.map((c) => c.jobId)).toEqual([phantom.jobId]);
    expect((await proc.api('GET', `/jobs/${queued.id}`)).body.status).toBe('queued');

    expect((await worker.succeed(run, { crawled: 3 })).ok).toBe(true);
    expect(await waitForJob(running.id, 'succeeded', (j) => j.status === 'succeeded')).toMatchObject({ attempt: 1, result: { crawled: 3 } });

    const next = await worker.waitForRun(1);
    expect(next).toMatchObject({ jobId: queued.id, accountId: second.id, attempt: 1 });
    expect((await worker.succeed(next)).ok).toBe(true);
    expect(await waitForJob(queued.id, 'succeeded', (j) => j.status === 'succeeded')).toMatchObject({ attempt: 1, workerId: 'w1' });
  });
});
