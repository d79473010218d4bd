import { afterEach, describe, expect, it } from 'vitest';
import { MasterFixture } from './support/master-fixture.js';
import { WorkerProcess } from './support/worker-process.js';
import { waitUntil } from './support/wait-until.js';

const HEARTBEAT_MS = 1_000;
/** A silent worker's grace: far longer than the waits below, so only the closed-connection path can move the job in time. */
const SILENT_FAILOVER_MS = 60_000;

describe('a worker whose process died fails over sooner than one that fell silent', () => {
  let fx: MasterFixture;
  let killed: WorkerProcess | undefined;
  afterEach(async () => {
    await killed?.kill();
    killed = undefined;
    await fx?.close();
  });

  it("runs the SIGKILLed worker's job again on another worker under a higher epoch, and refuses the old attempt's reports", async () => {
    fx = await MasterFixture.start({ heartbeatIntervalMs: HEARTBEAT_MS, accountFailoverMs: SILENT_FAILOVER_MS });
    killed = await WorkerProcess.start(fx.url, 'w1', fx.workerToken);
    const account = await fx.createAccount();
    const job = await fx.createJob({ type: 'crawl', accountId: account.id });
    const oldRun = await killed.waitForRun(0);
    await fx.waitForJob(job.id, 'running on w1', (j) => j.status === 'running' && j.workerId === 'w1');
    const w2 = await fx.worker('w2', { heartbeatEveryMs: HEARTBEAT_MS / 2 }).start();

    await killed.kill();
    // The closed-connection grace (5 s by default), well inside the silent one.
    const newRun = await w2.waitForRun(0, 15_000);
    expect(newRun).toMatchObject({ jobId: job.id, accountId: account.id, attempt: 2 });
    expect(newRun.epoch).toBeGreaterThan(oldRun.epoch);
    expect((await fx.api('GET', `/accounts/${account.id}`)).body).toMatchObject({ ownerWorkerId: 'w2', epoch: newRun.epoch });

    // Fencing: should the old attempt speak again (a process that was not dead after all), it is
    // told to stop and its reports change nothing: its attempt and epoch are behind.
    const ghost = await fx.worker('w1').start({ runningJobs: [{ jobId: job.id, accountId: account.id, epoch: oldRun.epoch }] });
    await ghost.progress(oldRun, 90, 'old attempt');
    await ghost.succeed(oldRun, { from: 'old attempt' });
    await waitUntil('w1 told to cancel its old attempt', () => ghost.cancels.find((c) => c.jobId === job.id));
    expect(await fx.job(job.id)).toMatchObject({ status: 'running', workerId: 'w2', attempt: 2, result: null });

    expect((await w2.succeed(newRun, { from: 'w2' })).ok).toBe(true);
    expect(await fx.waitForJob(job.id, 'succeeded on w2', (j) => j.status === 'succeeded')).toMatchObject({
      workerId: 'w2',
      attempt: 2,
      result: { from: 'w2' },
    });
  });
});
