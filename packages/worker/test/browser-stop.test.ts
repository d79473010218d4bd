import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Worker } from '@fleetwright/worker';
import { taskAssign } from './support/accounts.js';
import { killProcesses, processesMentioning } from './support/chromium-processes.js';
import { ScriptedMaster } from './support/scripted-master.js';
import { scriptedWorker } from './support/scripted-worker.js';
import { HandlerProbe, testkitPlugin } from './support/testkit-plugin.js';
import { makeTempDir } from './support/temp-dir.js';
import { waitFor } from './support/wait-for.js';

/**
 * Stop (hibernate) right after a job's result: the master has already marked the job done, so
 * the worker must not call the account busy while that job's files are still uploading.
 */
describe("stopping an account's browser after its job reported", () => {
  let temp: ReturnType<typeof makeTempDir>;
  let master: ScriptedMaster;
  let worker: Worker | undefined;

  beforeEach(async () => {
    temp = makeTempDir();
    master = await new ScriptedMaster().start();
  });
  afterEach(async () => {
    await worker?.close();
    worker = undefined;
    await master.close();
    killProcesses(processesMentioning(temp.dir));
    temp.remove();
  });

  it('stops once the reported job has uploaded its files, and still refuses while a job runs', async () => {
    worker = scriptedWorker(master, path.join(temp.dir, 'worker'), { plugins: [testkitPlugin(new HandlerProbe())] });
    await master.registered();
    await master.assign(taskAssign('acc-1', { platform: 'testkit' }));
    const run = { accountId: 'acc-1', epoch: 1, platform: 'testkit', attempt: 1, timeoutMs: 60_000 };

    // A job that runs: stop is refused, naming why.
    await master.run({ ...run, jobId: 'job-long', type: 'hold', payload: { ms: 1500, withPage: true } });
    await waitFor('the job to run', () => (worker!.browsers.liveAccountIds().includes('acc-1') ? true : undefined), 20_000);
    expect(await master.browser({ accountId: 'acc-1', epoch: 1, action: 'stop' })).toMatchObject({ ok: false, error: { code: 'ACCOUNT_BUSY' } });
    expect(await master.resultOf('job-long')).toMatchObject({ status: 'succeeded' });

    // job-long's own upload follows its result, and job-short waits behind it: held too, it would never run.
    await waitFor("job-long's files to be uploaded", () => (worker!.runner.hasJobFor('acc-1') ? undefined : true), 20_000);

    // The result is in, its run.log upload is not: to the master the account is idle.
    let releaseUploads!: () => void;
    master.uploadsHeldUntil = new Promise((resolve) => (releaseUploads = resolve));
    await master.run({ ...run, jobId: 'job-short', type: 'hold', payload: { ms: 0, withPage: true } });
    expect(await master.resultOf('job-short')).toMatchObject({ status: 'succeeded' });
    const stopping = master.browser({ accountId: 'acc-1', epoch: 1, action: 'stop' });
    setTimeout(releaseUploads, 300);
    expect(await stopping).toMatchObject({ ok: true, data: { accountId: 'acc-1', state: 'stopped' } });
    expect(worker.browsers.liveAccountIds()).not.toContain('acc-1');
  });
});
