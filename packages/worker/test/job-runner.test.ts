import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FleetError, type TraceMode } from '@fleetwright/shared';
import { RunnerRig } from './support/runner-rig.js';
import { HandlerProbe, closedPort, testkitPlugin } from './support/testkit-plugin.js';
import { traceEvents } from './support/zip-entries.js';
import { waitFor } from './support/wait-for.js';

const PASSWORD = 'pw-Zebra-8841-secret';

function acceptError(fn: () => void): FleetError {
  try {
    fn();
  } catch (error) {
    if (error instanceof FleetError) return error;
    throw error;
  }
  throw new Error('accept() did not refuse the run');
}

describe('JobRunner', () => {
  let rig: RunnerRig;
  let probe: HandlerProbe;

  function makeRig(options: { maxConcurrency?: number; trace?: TraceMode } = {}): RunnerRig {
    probe = new HandlerProbe();
    rig = new RunnerRig({ plugins: [testkitPlugin(probe)], ...options });
    rig.assign('acc-a', { credentials: { username: 'alice', password: PASSWORD } });
    rig.assign('acc-b');
    return rig;
  }

  /** Waits until the runner is done with every job (pages closed, run.log flushed). */
  function settled(): Promise<true> {
    return waitFor('the runner to finish its jobs', () => (rig.runner.runningCount === 0 ? true : undefined), 20_000);
  }

  afterEach(async () => {
    await rig?.close();
  });

  it("declares each job type's own timeoutMs in its capabilities, for the master to apply", () => {
    probe = new HandlerProbe();
    const plugin = testkitPlugin(probe);
    const [firstType] = Object.keys(plugin.jobs);
    rig = new RunnerRig({ plugins: [{ ...plugin, jobs: { ...plugin.jobs, [firstType!]: { ...plugin.jobs[firstType!]!, timeoutMs: 90_000 } } }] });
    const [capability] = rig.runner.capabilities();
    expect(capability!.timeouts).toEqual({ [firstType!]: 90_000 });
  });

  describe('refuses a run before any browser work', () => {
    it('refuses a payload that fails the job schema with PAYLOAD_INVALID naming the field', () => {
      makeRig();
      const error = acceptError(() => rig.runner.accept(rig.jobRun({ accountId: 'acc-a', type: 'strict', payload: { method: 'qr' } })));

      expect(error).toMatchObject({ code: 'PAYLOAD_INVALID', field: 'payload.method', retryable: false });
      expect(error.status).toBe(400);
      expect(acceptError(() => rig.runner.accept(rig.jobRun({ accountId: 'acc-a', type: 'strict', payload: { method: 'password', extra: 1 } })))).toMatchObject(
        { code: 'PAYLOAD_INVALID' },
      );
      expect(rig.browsers.liveCount).toBe(0);
      expect(rig.runner.runningCount).toBe(0);
      expect(existsSync(path.join(rig.temp.dir, 'profiles'))).toBe(false);
      expect(rig.reporter.results).toEqual([]);
    });

    it('refuses an unknown platform with UNKNOWN_PLATFORM and an unknown job type with UNKNOWN_JOB_TYPE', () => {
      makeRig();
      expect(acceptError(() => rig.runner.accept(rig.jobRun({ accountId: 'acc-a', platform: 'nowhere', type: 'strict' })))).toMatchObject({
        code: 'UNKNOWN_PLATFORM',
        field: 'platform',
      });
      expect(acceptError(() => rig.runner.accept(rig.jobRun({ accountId: 'acc-a', type: 'teleport' })))).toMatchObject({
        code: 'UNKNOWN_JOB_TYPE',
        field: 'type',
      });
      expect(rig.browsers.liveCount).toBe(0);
    });

    it('refuses an account that is not assigned to this worker with NOT_OWNER', () => {
      makeRig();
      expect(acceptError(() => rig.runner.accept(rig.jobRun({ accountId: 'acc-stranger', type: 'strict', payload: { method: 'password' } })))).toMatchObject({
        code: 'NOT_OWNER',
        field: 'accountId',
      });
      expect(rig.browsers.liveCount).toBe(0);
    });

    it("refuses a run whose epoch differs from the account's assignment with STALE_EPOCH", () => {
      makeRig();
      rig.assign('acc-a', { epoch: 3 });
      expect(acceptError(() => rig.runner.accept(rig.jobRun({ accountId: 'acc-a', epoch: 2, type: 'strict', payload: { method: 'password' } })))).toMatchObject(
        { code: 'STALE_EPOCH', field: 'epoch' },
      );
      expect(rig.runner.runningCount).toBe(0);
    });

    it('refuses a job at the concurrency limit with NO_CAPACITY', async () => {
      makeRig({ maxConcurrency: 1 });
      const first = rig.start({ accountId: 'acc-a', type: 'hold', payload: { ms: 10_000 } });

      const error = acceptError(() => rig.runner.accept(rig.jobRun({ accountId: 'acc-b', type: 'hold', payload: { ms: 10 } })));

      expect(error).toMatchObject({ code: 'NO_CAPACITY', retryable: true });
      expect(rig.runner.runningJobs()).toEqual([{ jobId: first.jobId, accountId: 'acc-a', epoch: 1, attempt: 1 }]);
      rig.runner.cancel(first.jobId, 'test over');
      await rig.reporter.resultOf(first.jobId);
    });
  });

  it('runs the jobs of one account one after the other and the jobs of two accounts side by side', async () => {
    makeRig();
    const a1 = rig.start({ accountId: 'acc-a', type: 'hold', payload: { ms: 800, withPage: true } });
    const a2 = rig.start({ accountId: 'acc-a', type: 'hold', payload: { ms: 800, withPage: true } });
    const b1 = rig.start({ accountId: 'acc-b', type: 'hold', payload: { ms: 800, withPage: true } });

    for (const run of [a1, a2, b1]) expect(await rig.reporter.resultOf(run.jobId)).toMatchObject({ status: 'succeeded', result: { held: 800 } });

    const start = (id: string): number => probe.startedAt.get(id)!;
    const end = (id: string): number => probe.endedAt.get(id)!;
    expect(start(a2.jobId)).toBeGreaterThanOrEqual(end(a1.jobId));
    expect(start(b1.jobId)).toBeLessThan(end(a1.jobId));
    expect(start(a1.jobId)).toBeLessThan(end(b1.jobId));
  });

  it('fails a job whose result is nested deeper than the master accepts with TOO_LARGE naming result, not retryable', async () => {
    makeRig();
    const shallow = rig.start({ accountId: 'acc-a', type: 'deep_result', payload: { depth: 10 } });
    expect(await rig.reporter.resultOf(shallow.jobId)).toMatchObject({ status: 'succeeded' });
    const deep = rig.start({ accountId: 'acc-a', type: 'deep_result', payload: { depth: 5000 } });
    expect(await rig.reporter.resultOf(deep.jobId)).toMatchObject({ status: 'failed', error: { code: 'TOO_LARGE', field: 'result', retryable: false } });
  });

  it("frees a job's slot once its result is reported, while its files still upload (the master already gave the slot away)", async () => {
    makeRig({ maxConcurrency: 1 });
    let release!: () => void;
    const uploading = new Promise<void>((resolve) => (release = resolve));
    Object.assign(rig.reporter, { uploadArtifact: () => uploading });
    const first = rig.start({ accountId: 'acc-a', type: 'hold', payload: { ms: 10 } });
    await rig.reporter.resultOf(first.jobId);
    expect(rig.runner.runningCount).toBe(1);
    const next = rig.jobRun({ accountId: 'acc-b', type: 'hold', payload: { ms: 10 } });
    expect(() => rig.runner.accept(next)).not.toThrow();
    release();
    expect(await rig.reporter.resultOf(next.jobId)).toMatchObject({ status: 'succeeded' });
  });

  it('runs a re-sent run of a job that is already running only once', async () => {
    makeRig();
    const run = rig.jobRun({ accountId: 'acc-a', type: 'hold', payload: { ms: 300 } });
    rig.runner.accept(run);
    rig.runner.accept(run);

    await rig.reporter.resultOf(run.jobId);
    await settled();
    expect(rig.reporter.results.filter((r) => r.jobId === run.jobId)).toHaveLength(1);
  });

  it('refuses, retryable, the next attempt of a job whose earlier attempt is still finishing here, and runs it once that one is done', async () => {
    makeRig();
    const first = rig.jobRun({ accountId: 'acc-a', type: 'hold', payload: { ms: 400 } });
    rig.runner.accept(first);
    const next = { ...first, attempt: 2 };
    expect(acceptError(() => rig.runner.accept(next))).toMatchObject({ code: 'CONFLICT', retryable: true, field: 'attempt' });
    await rig.reporter.resultOf(first.jobId);
    await settled();
    rig.runner.accept(next);
    await waitFor('attempt 2 reports', () => rig.reporter.results.find((r) => r.jobId === first.jobId && r.attempt === 2), 10_000);
  });

  it('cancels a running job promptly: it reports cancelled with JOB_CANCELLED and its pages are closed', async () => {
    makeRig();
    const run = rig.start({ accountId: 'acc-a', type: 'wait_for_missing', payload: { timeoutMs: 25_000 }, timeoutMs: 30_000 });
    const page = await probe.pageOf(run.jobId);

    const cancelledAt = Date.now();
    expect(rig.runner.cancel(run.jobId, 'operator stopped it')).toBe(true);
    const result = await rig.reporter.resultOf(run.jobId, 5000);

    expect(result).toMatchObject({ status: 'cancelled', error: { code: 'JOB_CANCELLED', message: 'operator stopped it' } });
    expect(result.at - cancelledAt).toBeLessThan(3000);
    await settled();
    expect(page.isClosed()).toBe(true);
    expect(rig.runner.cancel('job-unknown', 'nothing')).toBe(false);
  });

  it('cancels a job still queued behind another of its account without running its handler', async () => {
    makeRig();
    const first = rig.start({ accountId: 'acc-a', type: 'hold', payload: { ms: 600 } });
    const queued = rig.start({ accountId: 'acc-a', type: 'hold', payload: { ms: 10 } });

    expect(rig.runner.cancel(queued.jobId, 'not needed')).toBe(true);

    expect(await rig.reporter.resultOf(queued.jobId)).toMatchObject({ status: 'cancelled', error: { code: 'JOB_CANCELLED' } });
    expect(await rig.reporter.resultOf(first.jobId)).toMatchObject({ status: 'succeeded' });
    expect(probe.startedAt.has(queued.jobId)).toBe(false);
  });

  it('fails a job whose handler waits on a page past the deadline with TIMEOUT and closes its page', async () => {
    makeRig();
    const acceptedAt = Date.now();
    const run = rig.start({ accountId: 'acc-a', type: 'wait_for_missing', payload: { timeoutMs: 25_000 }, timeoutMs: 1500 });
    const page = await probe.pageOf(run.jobId);

    const result = await rig.reporter.resultOf(run.jobId, 10_000);

    expect(result).toMatchObject({ status: 'failed', error: { code: 'TIMEOUT', retryable: true } });
    expect(result.at - acceptedAt).toBeGreaterThanOrEqual(1500);
    expect(result.at - acceptedAt).toBeLessThan(6000);
    await settled();
    expect(page.isClosed()).toBe(true);
  });

  it('fails a job that sleeps past its deadline with TIMEOUT, honouring the signal', async () => {
    makeRig();
    const acceptedAt = Date.now();
    const run = rig.start({ accountId: 'acc-a', type: 'hold', payload: { ms: 20_000 }, timeoutMs: 1500 });

    const result = await rig.reporter.resultOf(run.jobId, 5000);

    expect(result).toMatchObject({ status: 'failed', error: { code: 'TIMEOUT' } });
    expect(result.at - acceptedAt).toBeGreaterThanOrEqual(1500);
    expect(result.at - acceptedAt).toBeLessThan(4000);
    expect(probe.endedAt.has(run.jobId)).toBe(false);
  });

  it('maps a Playwright TimeoutError of a locator to SELECTOR_NOT_FOUND', async () => {
    makeRig();
    const run = rig.start({ accountId: 'acc-a', type: 'click_missing', payload: { by: 'css' } });

    expect(await rig.reporter.resultOf(run.jobId)).toMatchObject({ status: 'failed', error: { code: 'SELECTOR_NOT_FOUND', retryable: true } });
  });

  it('maps a getByRole locator that never matches to SELECTOR_NOT_FOUND', async () => {
    makeRig();
    const run = rig.start({ accountId: 'acc-a', type: 'click_missing', payload: { by: 'role' } });

    expect(await rig.reporter.resultOf(run.jobId)).toMatchObject({ status: 'failed', error: { code: 'SELECTOR_NOT_FOUND' } });
  });

  it('maps net::ERR_CONNECTION_REFUSED to a retryable NETWORK_ERROR', async () => {
    makeRig();
    const run = rig.start({ accountId: 'acc-a', type: 'visit', payload: { url: `http://127.0.0.1:${await closedPort()}/` } });

    const result = await rig.reporter.resultOf(run.jobId);

    expect(result).toMatchObject({ status: 'failed', error: { code: 'NETWORK_ERROR', retryable: true } });
    expect(result.status === 'failed' && result.error.message).toContain('net::ERR_CONNECTION_REFUSED');
  });

  describe('keeps a trace of a failed attempt', () => {
    const jobFile = (jobId: string, name: string): string => path.join(rig.temp.dir, 'jobs', jobId, name);
    const failClick = async (attempt: number): Promise<string> => {
      const run = rig.start({ accountId: 'acc-a', type: 'click_missing', payload: { by: 'css' }, attempt });
      expect(await rig.reporter.resultOf(run.jobId)).toMatchObject({ status: 'failed', attempt, error: { code: 'SELECTOR_NOT_FOUND' } });
      expect(existsSync(jobFile(run.jobId, 'start_failed.png'))).toBe(true);
      return run.jobId;
    };
    const clickOf = (events: ReturnType<typeof traceEvents>) => events.find((e) => e.type === 'before' && e.method === 'click');

    it('by default: the actions and their call logs on a first attempt, DOM snapshots too on a retry', async () => {
      makeRig();
      const first = traceEvents(jobFile(await failClick(1), 'trace.zip'));
      expect(clickOf(first)).toMatchObject({ class: 'Frame', params: expect.objectContaining({ selector: '#send' }) });
      expect(first.some((e) => e.type === 'log')).toBe(true);
      expect(first.some((e) => e.type === 'after' && typeof (e.error as { message?: string } | undefined)?.message === 'string')).toBe(true);
      expect(first.some((e) => e.type === 'frame-snapshot')).toBe(false);

      const retry = traceEvents(jobFile(await failClick(2), 'trace.zip'));
      expect(clickOf(retry)).toBeDefined();
      expect(retry.some((e) => e.type === 'frame-snapshot')).toBe(true);
    });

    it("with trace 'full': DOM snapshots on the first attempt", async () => {
      makeRig({ trace: 'full' });
      const first = traceEvents(jobFile(await failClick(1), 'trace.zip'));
      expect(clickOf(first)).toBeDefined();
      expect(first.some((e) => e.type === 'frame-snapshot')).toBe(true);
    });

    it("with trace 'off': no trace, still the screenshot and run.log", async () => {
      makeRig({ trace: 'off' });
      const jobId = await failClick(1);
      expect(existsSync(jobFile(jobId, 'trace.zip'))).toBe(false);
      expect(existsSync(jobFile(jobId, 'run.log'))).toBe(true);
    });

    it('keeps one trace for a job that opens two pages at once, and traces the next job of the account again', async () => {
      makeRig();
      const run = rig.start({ accountId: 'acc-a', type: 'two_pages_click_missing' });
      expect(await rig.reporter.resultOf(run.jobId)).toMatchObject({ status: 'failed', error: { code: 'SELECTOR_NOT_FOUND' } });
      const events = traceEvents(jobFile(run.jobId, 'trace.zip'));
      expect(events.filter((e) => e.type === 'before' && e.method === 'setContent')).toHaveLength(2);
      expect(clickOf(events)).toBeDefined();
      await settled();
      expect(clickOf(traceEvents(jobFile(await failClick(1), 'trace.zip')))).toBeDefined();
    });

    it('discards the trace of a job that succeeds, and traces the next job of the account again', async () => {
      makeRig();
      const ok = rig.start({ accountId: 'acc-a', type: 'hold', payload: { ms: 10, withPage: true } });
      expect(await rig.reporter.resultOf(ok.jobId)).toMatchObject({ status: 'succeeded' });
      await settled();
      expect(existsSync(jobFile(ok.jobId, 'trace.zip'))).toBe(false);
      expect(clickOf(traceEvents(jobFile(await failClick(1), 'trace.zip')))).toBeDefined();
    });
  });

  it("writes run.log under <dataDir>/jobs/<jobId>/ with the handler's lines", async () => {
    makeRig();
    const run = rig.start({
      accountId: 'acc-a',
      type: 'chatty',
      payload: {
        steps: [
          [20, 'open_inbox'],
          [90, 'read_threads'],
        ],
      },
    });
    await rig.reporter.resultOf(run.jobId);
    await settled();

    const file = path.join(rig.temp.dir, 'jobs', run.jobId, 'run.log');
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT\S+Z job job-\d+ testkit\/chatty attempt 1 on account acc-a$/);
    expect(lines.map((l) => l.replace(/^\S+ /, ''))).toEqual(
      expect.arrayContaining(['working on open_inbox', 'progress 20% open_inbox', 'working on read_threads', 'progress 90% read_threads']),
    );
    expect(lines.at(-1)).toMatch(/ succeeded in \d+ ms$/);
  });

  it('streams the run.log lines live in batches, the same lines as the file, the password redacted', async () => {
    makeRig();
    const run = rig.start({
      accountId: 'acc-a',
      type: 'chatty',
      payload: {
        steps: [
          [20, 'open_inbox'],
          [90, 'read_threads'],
        ],
        quotePassword: true,
      },
    });
    await rig.reporter.resultOf(run.jobId);
    await settled();

    const batches = rig.reporter.logReports.filter((r) => r.jobId === run.jobId);
    expect(batches.length).toBeGreaterThan(0);
    for (const batch of batches) expect(batch).toMatchObject({ accountId: 'acc-a', epoch: run.epoch, attempt: 1 });
    // Fewer sends than lines: the lines of one window travel together.
    const streamed = batches.flatMap((b) => b.lines);
    expect(batches.length).toBeLessThan(streamed.length);
    const file = readFileSync(path.join(rig.temp.dir, 'jobs', run.jobId, 'run.log'), 'utf8')
      .trim()
      .split('\n');
    expect(streamed).toEqual(file);
    expect(streamed.join('\n')).toContain('filled the form with alice / ');
    expect(streamed.join('\n')).not.toContain(PASSWORD);
  });

  // Bug: the worker never registers an assigned account's password with registerSecret(), so
  // RunLog's redactText() cannot scrub it; only a master in the same process does that.
  it('keeps the account password out of run.log even when a handler line or error quotes it', async () => {
    makeRig();
    const run = rig.start({ accountId: 'acc-a', type: 'chatty', payload: { steps: [[50, 'fill_form']], quotePassword: true } });
    expect(await rig.reporter.resultOf(run.jobId)).toMatchObject({ status: 'failed', error: { code: 'INTERNAL_ERROR' } });
    await settled();

    const log = readFileSync(path.join(rig.temp.dir, 'jobs', run.jobId, 'run.log'), 'utf8');
    expect(log).toContain('filled the form with alice / ');
    expect(log).not.toContain(PASSWORD);
  });

  it('reports progress in order with the percentages and steps the handler gave', async () => {
    makeRig();
    const steps: [number, string][] = [
      [5, 'open'],
      [35, 'fill'],
      [35, 'fill_again'],
      [80, 'submit'],
      [100, 'done'],
    ];
    const run = rig.start({ accountId: 'acc-a', type: 'chatty', payload: { steps } });
    await rig.reporter.resultOf(run.jobId);

    const reports = rig.reporter.progressOf(run.jobId);
    expect(reports.map((r) => [r.percent, r.step])).toEqual(steps);
    for (const report of reports) expect(report).toMatchObject({ jobId: run.jobId, accountId: 'acc-a', epoch: 1 });
  });

  it('drain() aborts a job still running when its time is up, reports it, resolves, and refuses new jobs', async () => {
    makeRig();
    const run = rig.start({ accountId: 'acc-a', type: 'hold', payload: { ms: 20_000 } });
    await waitFor('the handler to start', () => probe.startedAt.get(run.jobId));

    const drainStarted = Date.now();
    await rig.runner.drain(500);

    expect(Date.now() - drainStarted).toBeLessThan(4000);
    expect(rig.reporter.results.find((r) => r.jobId === run.jobId)).toMatchObject({ status: 'failed', error: { code: 'WORKER_LOST', retryable: true } });
    expect(rig.runner.runningCount).toBe(0);
    expect(acceptError(() => rig.runner.accept(rig.jobRun({ accountId: 'acc-b', type: 'hold', payload: { ms: 1 } })))).toMatchObject({ code: 'NO_CAPACITY' });
  });

  it('drain() lets a job that finishes in time succeed', async () => {
    makeRig();
    const run = rig.start({ accountId: 'acc-a', type: 'hold', payload: { ms: 300 } });

    await rig.runner.drain(5000);

    expect(rig.reporter.results.find((r) => r.jobId === run.jobId)).toMatchObject({ status: 'succeeded', result: { held: 300 } });
  });
});
