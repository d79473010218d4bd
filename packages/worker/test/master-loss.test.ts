import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Worker } from '@fleetwright/worker';
import { RedisServer } from '../../../test/support/redis-server.js';
import { taskAssign } from './support/accounts.js';
import { killProcesses, processesMentioning } from './support/chromium-processes.js';
import { ScriptedMaster } from './support/scripted-master.js';
import { scriptedWorker } from './support/scripted-worker.js';
import { HandlerProbe, testkitPlugin } from './support/testkit-plugin.js';
import { makeTempDir } from './support/temp-dir.js';
import { waitFor } from './support/wait-for.js';

describe('a worker cut off from the master but not from Redis', () => {
  const redis = new RedisServer();
  let admin: Redis;
  let temp: ReturnType<typeof makeTempDir>;
  let master: ScriptedMaster;
  let worker: Worker | undefined;

  beforeAll(async () => {
    await redis.start();
    admin = redis.client();
  });
  afterAll(async () => {
    admin.disconnect();
    await redis.stop();
  });
  beforeEach(async () => {
    temp = makeTempDir();
    master = await new ScriptedMaster(200).start();
  });
  afterEach(async () => {
    await worker?.close();
    worker = undefined;
    await master.close();
    killProcesses(processesMentioning(temp.dir));
    temp.remove();
  });

  it('stops its accounts and gives back their locks, then takes back what the master still gives it', async () => {
    const prefix = `test:${randomUUID()}:`;
    const probe = new HandlerProbe();
    worker = scriptedWorker(master, path.join(temp.dir, 'worker'), {
      plugins: [testkitPlugin(probe)],
      redisUrl: redis.url,
      redisPrefix: prefix,
      masterLossTimeoutMs: 4000,
    });
    await master.registered();
    await master.assign(taskAssign('acc-1', { platform: 'testkit' }));
    expect(
      await master.run({
        jobId: 'job-1',
        accountId: 'acc-1',
        epoch: 1,
        platform: 'testkit',
        type: 'hold',
        payload: { ms: 120_000, withPage: true },
        attempt: 1,
        timeoutMs: 180_000,
      }),
    ).toMatchObject({ ok: true });
    await probe.pageOf('job-1');
    const firstFence = worker.browsers.fenceTokenOf('acc-1')!;
    expect(await admin.exists(`${prefix}profile:acc-1`)).toBe(1);

    await master.goAway();

    // The next owner must be able to take the profile: the lock goes back, the browser closes.
    await waitFor('the profile lock to be given back', async () => ((await admin.exists(`${prefix}profile:acc-1`)) === 0 ? true : undefined), 20_000);
    expect(worker.browsers.liveCount).toBe(0);
    expect(probe.endedAt.has('job-1')).toBe(false); // aborted, not finished

    // The master answers again: the worker registers with what it holds, and reopens what it is given.
    await master.start();
    const again = await master.registered(2);
    expect(again.heldAccounts).toEqual([{ accountId: 'acc-1', epoch: 1 }]);
    await master.assign(taskAssign('acc-1', { platform: 'testkit' }));
    await waitFor('the context to open again', () => (worker!.browsers.liveCount === 1 ? true : undefined), 20_000);
    expect(worker.browsers.fenceTokenOf('acc-1')).toBeGreaterThan(firstFence);
    expect(await master.resultOf('job-1')).toMatchObject({ status: 'failed', error: { code: 'WORKER_LOST', retryable: true } });
  });
});
