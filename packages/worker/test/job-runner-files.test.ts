import { existsSync, mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MasterSide } from './support/master-side.js';
import { quietLogger } from './support/quiet-logger.js';
import { RunnerRig } from './support/runner-rig.js';
import { HandlerProbe, testkitPlugin } from './support/testkit-plugin.js';
import { waitFor } from './support/wait-for.js';

describe("JobRunner keeps no job's files once the master has them", () => {
  let rig: RunnerRig;
  let master: MasterSide;

  function makeRig(): RunnerRig {
    rig = new RunnerRig({ plugins: [testkitPlugin(new HandlerProbe())] });
    master = new MasterSide(path.join(rig.temp.dir, 'master-artifacts'));
    master.attach(rig.reporter);
    rig.assign('acc-a', { credentials: { username: 'alice', password: 'pw-Zebra-8841-secret' } });
    return rig;
  }

  const jobDir = (jobId: string): string => path.join(rig.temp.dir, 'jobs', jobId);
  const settled = (): Promise<true> => waitFor('the runner to finish its jobs', () => (rig.runner.runningCount === 0 ? true : undefined), 20_000);

  afterEach(async () => {
    vi.restoreAllMocks();
    await rig?.close();
  });

  it("deletes a failed job's directory once run.log, the screenshot and the trace are uploaded", async () => {
    makeRig();
    const run = rig.start({ accountId: 'acc-a', type: 'click_missing', payload: { by: 'css' } });
    expect(await rig.reporter.resultOf(run.jobId)).toMatchObject({ status: 'failed', error: { code: 'SELECTOR_NOT_FOUND' } });
    await settled();

    expect([...master.files(run.jobId).keys()].sort()).toEqual(['run.log', 'start_failed.png', 'trace.zip']);
    expect(existsSync(jobDir(run.jobId))).toBe(false);
  });

  it('deletes the directory when the upload fails for good, and logs each file that was lost', async () => {
    makeRig();
    master.fail = true;
    const warn = vi.spyOn(quietLogger, 'warn');
    const run = rig.start({ accountId: 'acc-a', type: 'hold', payload: { ms: 10, withPage: true } });
    expect(await rig.reporter.resultOf(run.jobId)).toMatchObject({ status: 'succeeded' });
    await settled();

    expect(existsSync(jobDir(run.jobId))).toBe(false);
    expect(warn).toHaveBeenCalledWith('artifact upload failed', expect.objectContaining({ jobId: run.jobId, name: 'run.log' }));
  });

  it('drops a trace that cannot be scrubbed rather than upload it, and says why in run.log and the log', async () => {
    makeRig();
    const warn = vi.spyOn(quietLogger, 'warn');
    const run = rig.jobRun({ accountId: 'acc-a', type: 'click_missing', payload: { by: 'css' } });
    // A directory where the scrubbed trace.zip should go: the scrub's last step fails for real.
    mkdirSync(path.join(jobDir(run.jobId), 'trace.zip'), { recursive: true });

    rig.runner.accept(run);

    expect(await rig.reporter.resultOf(run.jobId)).toMatchObject({ status: 'failed', error: { code: 'SELECTOR_NOT_FOUND' } });
    await settled();
    const uploaded = master.files(run.jobId);
    expect([...uploaded.keys()].sort()).toEqual(['run.log', 'start_failed.png']);
    expect(uploaded.get('run.log')!.toString('utf8')).toMatch(/trace\.zip dropped: it could not be scrubbed of the account's secrets \(.+\)/);
    expect(warn).toHaveBeenCalledWith('trace dropped: it could not be scrubbed', expect.objectContaining({ jobId: run.jobId, error: expect.any(String) }));
    expect(existsSync(jobDir(run.jobId))).toBe(false);
  });

  it('removes the job directories an earlier run left behind, and nothing else', async () => {
    makeRig();
    for (const [jobId, name] of [
      ['job-old', 'run.log'],
      ['job-older', 'trace.zip'],
    ] as const) {
      mkdirSync(jobDir(jobId), { recursive: true });
      writeFileSync(path.join(jobDir(jobId), name), 'left by a worker that died');
    }
    const profile = path.join(rig.temp.dir, 'profiles', 'acc-a');
    mkdirSync(profile, { recursive: true });
    writeFileSync(path.join(profile, 'Preferences'), '{}');

    expect((await rig.runner.removeLeftoverJobDirs()).sort()).toEqual(['job-old', 'job-older']);

    expect(readdirSync(path.join(rig.temp.dir, 'jobs'))).toEqual([]);
    expect(existsSync(path.join(profile, 'Preferences'))).toBe(true);
    // A data dir without jobs has nothing to remove.
    rmSync(path.join(rig.temp.dir, 'jobs'), { recursive: true });
    expect(await rig.runner.removeLeftoverJobDirs()).toEqual([]);
  });

  it('a job accepted while the leftovers are removed waits, and keeps its own directory even under a leftover id', async () => {
    makeRig();
    const run = rig.jobRun({ accountId: 'acc-a', type: 'chatty', payload: { steps: [[50, 'again']] } });
    // A worker that died mid-job left this attempt's directory; the master sends the job again.
    mkdirSync(jobDir(run.jobId), { recursive: true });
    writeFileSync(path.join(jobDir(run.jobId), 'stale.png'), 'from the attempt that died');

    const removing = rig.runner.removeLeftoverJobDirs();
    rig.runner.accept(run);

    expect(await removing).toEqual([run.jobId]);
    expect(await rig.reporter.resultOf(run.jobId)).toMatchObject({ status: 'succeeded' });
    await settled();
    expect([...master.files(run.jobId).keys()]).toEqual(['run.log']);
    expect(master.files(run.jobId).get('run.log')!.toString('utf8')).toContain('working on again');
  });

  it('a full disk under run.log (ENOSPC) does not crash the worker: the job runs, streams its lines and reports, and the failure is logged once', async () => {
    makeRig();
    const warn = vi.spyOn(quietLogger, 'warn');
    const run = rig.jobRun({
      accountId: 'acc-a',
      type: 'chatty',
      payload: {
        steps: [
          [20, 'open_inbox'],
          [90, 'read_threads'],
        ],
      },
    });
    // Every write to /dev/full fails with ENOSPC, as on a full disk.
    mkdirSync(jobDir(run.jobId), { recursive: true });
    symlinkSync('/dev/full', path.join(jobDir(run.jobId), 'run.log'));

    rig.runner.accept(run);

    expect(await rig.reporter.resultOf(run.jobId)).toMatchObject({ status: 'succeeded', result: { steps: 2 } });
    await settled();
    const lines = rig.reporter.logReports.filter((r) => r.jobId === run.jobId).flatMap((r) => r.lines.map((l) => l.replace(/^\S+ /, '')));
    expect(lines).toEqual(expect.arrayContaining(['working on open_inbox', 'progress 90% read_threads', expect.stringMatching(/^succeeded in \d+ ms$/)]));
    const runLogWarnings = (warn.mock.calls as unknown[][]).filter(([message]) => /run\.log/.test(String(message)));
    expect(runLogWarnings).toHaveLength(1);
    expect(runLogWarnings[0]![1]).toMatchObject({ jobId: run.jobId, error: expect.stringContaining('ENOSPC') });
    // The device behind run.log is not a file to upload; the next job of the account still runs.
    expect(master.files(run.jobId).has('run.log')).toBe(false);
    const next = rig.start({ accountId: 'acc-a', type: 'chatty', payload: { steps: [[50, 'again']] } });
    expect(await rig.reporter.resultOf(next.jobId)).toMatchObject({ status: 'succeeded' });
  });
});
