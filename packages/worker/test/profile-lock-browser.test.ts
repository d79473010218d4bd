import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ProfileLocks } from '@fleetwright/worker';
import { RedisServer } from '../../../test/support/redis-server.js';
import { quietLogger } from './support/quiet-logger.js';
import { RunnerRig } from './support/runner-rig.js';
import { HandlerProbe, testkitPlugin } from './support/testkit-plugin.js';
import { HeaderRecorder } from './support/header-recorder.js';
import { waitFor } from './support/wait-for.js';

describe.each(['persistent', 'shared'] as const)('profile locks around real browser contexts (%s mode)', (browserMode) => {
  const redis = new RedisServer();
  const clients: Redis[] = [];
  const rigs: RunnerRig[] = [];
  let prefix = '';

  beforeAll(async () => {
    await redis.start();
  });
  afterAll(async () => {
    await redis.stop();
  });
  afterEach(async () => {
    await Promise.allSettled(rigs.splice(0).map((r) => r.close()));
    for (const c of clients.splice(0)) c.disconnect();
  });

  /** One "worker": its own browser manager and runner, with locks on the shared Redis. */
  function worker(probe: HandlerProbe, fenceOrigins: string[] = []): RunnerRig {
    const client = redis.client();
    clients.push(client);
    prefix ||= `test:${randomUUID()}:`;
    const rig = new RunnerRig({
      plugins: [testkitPlugin(probe)],
      leases: new ProfileLocks({ redis: client, prefix, ttlMs: 600, acquireTimeoutMs: 300, logger: quietLogger }),
      fenceOrigins,
      browserMode,
    });
    rigs.push(rig);
    rig.assign('acc-1', { platform: 'testkit' });
    return rig;
  }

  it('lets one worker open a profile at a time and stamps its requests with the lock token', async () => {
    prefix = '';
    const recorder = new HeaderRecorder();
    const url = await recorder.start();
    const first = worker(new HandlerProbe(), [url]);
    const second = worker(new HandlerProbe(), [url]);
    const page = await first.browsers.newPage(first.accounts.get('acc-1')!);
    await page.goto(url);
    const token = first.browsers.fenceTokenOf('acc-1');
    expect(token).toBeGreaterThan(0);
    expect(recorder.requests.length).toBeGreaterThan(0);
    expect(new Set(recorder.requests.map((r) => r.fence))).toEqual(new Set([String(token)]));

    await expect(second.browsers.open(second.accounts.get('acc-1')!)).rejects.toMatchObject({ code: 'LOCK_BUSY' });
    expect(second.browsers.liveCount).toBe(0);

    await first.browsers.closeContext('acc-1');
    await second.browsers.open(second.accounts.get('acc-1')!);
    expect(second.browsers.fenceTokenOf('acc-1')).toBe(token! + 1);
    await recorder.close();
  });

  it('aborts the running job with LOCK_LOST and closes the context at once when the lock is lost', async () => {
    prefix = '';
    const probe = new HandlerProbe();
    const rig = worker(probe);
    const run = rig.start({ accountId: 'acc-1', type: 'hold', payload: { ms: 20_000, withPage: true } });
    await probe.pageOf(run.jobId);
    expect(rig.browsers.liveCount).toBe(1);

    const admin = redis.client();
    clients.push(admin);
    await admin.del(`${prefix}profile:acc-1`);

    const result = await rig.reporter.resultOf(run.jobId, 5000);
    expect(result).toMatchObject({ status: 'failed', error: { code: 'LOCK_LOST', retryable: true } });
    await waitFor('the context to close', () => (rig.browsers.liveCount === 0 ? true : undefined), 5000);

    // A new holder (here the same worker, on its next job) gets a higher token.
    const next = worker(new HandlerProbe());
    await next.browsers.open(next.accounts.get('acc-1')!);
    expect(next.browsers.fenceTokenOf('acc-1')).toBeGreaterThan(1);
  });
});
