import { afterEach, describe, expect, it } from 'vitest';
import { WorkerEvent, type Ack } from '@fleetwright/shared';
import { MasterFixture } from './support/master-fixture.js';
import { DEFAULT_STATS, type SimulatedWorker } from './support/simulated-worker.js';

function heartbeatWithBrowsers(worker: SimulatedWorker, browsers: Record<string, unknown>[]): Promise<Ack> {
  return worker.socket.timeout(5_000).emitWithAck(WorkerEvent.Heartbeat, { stats: DEFAULT_STATS, browsers } as never);
}

describe('reports a worker has no standing to make are refused', () => {
  let fx: MasterFixture;
  afterEach(async () => {
    await fx?.close();
  });

  it("refuses a report about an attempt above the job's with NOT_OWNER (field attempt), records it, and changes nothing", async () => {
    fx = await MasterFixture.start();
    const worker = await fx.worker('w1').start();
    const account = await fx.createAccount();
    const job = await fx.createJob({ type: 'crawl', accountId: account.id });
    const run = await worker.waitForRun(0);
    await fx.waitForJob(job.id, 'running', (j) => j.status === 'running');

    const result = await worker.succeed({ ...run, attempt: 2 }, { forged: true });
    expect(result).toEqual({ ok: false, error: expect.objectContaining({ code: 'NOT_OWNER', field: 'attempt' }) });
    const progress = await worker.progress({ ...run, attempt: 3 }, 50, 'forged');
    expect(progress).toMatchObject({ ok: false, error: { code: 'NOT_OWNER', field: 'attempt' } });
    expect(await fx.job(job.id)).toMatchObject({ status: 'running', attempt: 1, result: null, progress: { percent: 0 } });
    expect(fx.refusedReports()).toEqual([
      expect.objectContaining({
        worker_id: 'w1',
        event: WorkerEvent.JobResult,
        code: 'NOT_OWNER',
        detail: expect.objectContaining({ attempt: 2, currentAttempt: 1 }),
      }),
      expect.objectContaining({
        worker_id: 'w1',
        event: WorkerEvent.JobProgress,
        code: 'NOT_OWNER',
        detail: expect.objectContaining({ attempt: 3, currentAttempt: 1 }),
      }),
    ]);

    // The real attempt still reports as usual.
    expect((await worker.succeed(run, { pages: 1 })).ok).toBe(true);
    expect(await fx.job(job.id)).toMatchObject({ status: 'succeeded', attempt: 1, result: { pages: 1 } });
  });

  it("applies a heartbeat's browsers only for accounts the worker owns, at the current epoch when the entry names one", async () => {
    fx = await MasterFixture.start();
    const owner = await fx.worker('w1').start();
    const account = await fx.createAccount();
    const assign = await owner.waitForAssign(account.id);
    const other = await fx.worker('w2').start();
    const browserOf = async (): Promise<any> => (await fx.api('GET', `/accounts/${account.id}`)).body.browser;

    // Another worker cannot paint the account as running under a fence of its choosing.
    expect(await heartbeatWithBrowsers(other, [{ accountId: account.id, state: 'running', fenceToken: 999, error: null }])).toEqual({ ok: true });
    expect(await browserOf()).toMatchObject({ state: 'stopped', workerId: null, lockHolder: null });

    // The owner under a stale epoch cannot either.
    expect(await heartbeatWithBrowsers(owner, [{ accountId: account.id, state: 'running', fenceToken: 5, error: null, epoch: assign.epoch - 1 }])).toEqual({
      ok: true,
    });
    expect(await browserOf()).toMatchObject({ state: 'stopped', lockHolder: null });

    // The owner at the current epoch can, with or without naming it.
    expect(await heartbeatWithBrowsers(owner, [{ accountId: account.id, state: 'running', fenceToken: 5, error: null, epoch: assign.epoch }])).toEqual({
      ok: true,
    });
    expect(await browserOf()).toMatchObject({ state: 'running', workerId: 'w1', lockHolder: { workerId: 'w1', fenceToken: 5 } });
    expect(await heartbeatWithBrowsers(owner, [{ accountId: account.id, state: 'running', fenceToken: 6, error: null }])).toEqual({ ok: true });
    expect(await browserOf()).toMatchObject({ lockHolder: { workerId: 'w1', fenceToken: 6 } });

    // And the other worker's list, even naming the right epoch, neither overrides nor stops the owner's entry.
    expect(await heartbeatWithBrowsers(other, [{ accountId: account.id, state: 'error', fenceToken: null, error: 'fake', epoch: assign.epoch }])).toEqual({
      ok: true,
    });
    expect(await heartbeatWithBrowsers(other, [])).toEqual({ ok: true });
    expect(await browserOf()).toMatchObject({ state: 'running', workerId: 'w1', lockHolder: { workerId: 'w1', fenceToken: 6 } });
  });
});
