import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RateLimitedError } from '@fleetwright/worker';
import { MasterSide } from './support/master-side.js';
import { RunnerRig } from './support/runner-rig.js';
import { HandlerProbe, testkitPlugin } from './support/testkit-plugin.js';
import { waitFor } from './support/wait-for.js';

const PASSWORD = 'pw-Throttle-7731-secret';

describe('ctx.rateLimited: a plugin passes on the platform throttle (real runner and Chromium)', () => {
  let rig: RunnerRig;
  let master: MasterSide;

  beforeEach(() => {
    rig = new RunnerRig({ plugins: [testkitPlugin(new HandlerProbe())] });
    master = new MasterSide(path.join(rig.temp.dir, 'master-artifacts'));
    master.attach(rig.reporter);
    rig.assign('acc-a', { credentials: { username: 'alice', password: PASSWORD } });
  });
  afterEach(async () => {
    await rig.close();
  });

  const settled = (): Promise<true> => waitFor('the runner to finish its jobs', () => (rig.runner.runningCount === 0 ? true : undefined), 20_000);

  it('reports the attempt rate_limited with retryAfterMs and scope, logs it in run.log, and keeps no failure screenshot or trace', async () => {
    const run = rig.start({
      accountId: 'acc-a',
      type: 'throttled',
      payload: { throttle: { retryAfterMs: 1500, scope: 'account', message: 'HTTP 429 on reply' } },
    });

    const result = await rig.reporter.resultOf(run.jobId);
    expect(result).toMatchObject({ jobId: run.jobId, attempt: 1, status: 'rate_limited', retryAfterMs: 1500, scope: 'account', message: 'HTTP 429 on reply' });
    expect(result).not.toHaveProperty('error');
    await settled();
    const files = master.files(run.jobId);
    expect([...files.keys()]).toEqual(['run.log']);
    expect(files.get('run.log')!.toString('utf8')).toContain('RATE_LIMITED (account): retry after 1500 ms: HTTP 429 on reply');
  });

  it('carries the platform scope, and a retryAfterMs of 0', async () => {
    const run = rig.start({ accountId: 'acc-a', type: 'throttled', payload: { throttle: { retryAfterMs: 0, scope: 'platform' } } });
    const result = await rig.reporter.resultOf(run.jobId);
    expect(result).toMatchObject({ status: 'rate_limited', retryAfterMs: 0, scope: 'platform' });
    expect(result).not.toHaveProperty('message');
  });

  it("scrubs the account's password from the throttle's message and from run.log", async () => {
    const run = rig.start({ accountId: 'acc-a', type: 'throttled', payload: { throttle: { retryAfterMs: 2000, scope: 'account' }, quotePassword: true } });
    const result = await rig.reporter.resultOf(run.jobId);
    expect(result).toMatchObject({ status: 'rate_limited', retryAfterMs: 2000, scope: 'account' });
    expect(JSON.stringify(result)).not.toContain(PASSWORD);
    expect((result as { message?: string }).message).toMatch(/^slow down, /);
    await settled();
    const log = master.files(run.jobId).get('run.log')!.toString('utf8');
    expect(log).toContain('RATE_LIMITED');
    expect(log).not.toContain(PASSWORD);
  });

  it.each([
    [{ retryAfterMs: -1, scope: 'account' }, 'rateLimited.retryAfterMs'],
    [{ retryAfterMs: 1.5, scope: 'account' }, 'rateLimited.retryAfterMs'],
    [{ retryAfterMs: 86_400_001, scope: 'account' }, 'rateLimited.retryAfterMs'],
    [{ retryAfterMs: 1000, scope: 'galaxy' }, 'rateLimited.scope'],
    [{ scope: 'account' }, 'rateLimited.retryAfterMs'],
    [{ retryAfterMs: 1000, scope: 'account', retryAt: 5 }, 'rateLimited.retryAt'],
  ])('fails the job (not the worker) with VALIDATION_FAILED naming the field for a bad throttle %j', async (throttle, field) => {
    const run = rig.start({ accountId: 'acc-a', type: 'throttled', payload: { throttle } });
    const result = await rig.reporter.resultOf(run.jobId);
    expect(result).toMatchObject({ status: 'failed', error: { code: 'VALIDATION_FAILED', field, retryable: false } });
    // The worker runs on: the account's next job runs and succeeds.
    const next = rig.start({ accountId: 'acc-a', type: 'hold', payload: { ms: 1 } });
    expect(await rig.reporter.resultOf(next.jobId)).toMatchObject({ status: 'succeeded' });
  });

  it('ends the job as its handler does when the plugin swallows the RateLimitedError', async () => {
    const run = rig.start({ accountId: 'acc-a', type: 'throttled', payload: { throttle: { retryAfterMs: 1000, scope: 'account' }, swallow: true } });
    expect(await rig.reporter.resultOf(run.jobId)).toMatchObject({ status: 'succeeded', result: { swallowed: true } });
  });

  it('is a FleetError with code RATE_LIMITED, so a plugin can tell it apart to rethrow it', () => {
    const error = new RateLimitedError({ retryAfterMs: 10, scope: 'platform' });
    expect(error).toMatchObject({ code: 'RATE_LIMITED', retryable: true, throttle: { retryAfterMs: 10, scope: 'platform' } });
    expect(error.message).toBe('the platform throttled all its accounts for 10 ms');
  });
});
