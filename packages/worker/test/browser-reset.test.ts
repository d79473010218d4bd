import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Worker } from '@fleetwright/worker';
import { RedisServer } from '../../../test/support/redis-server.js';
import { taskAssign } from './support/accounts.js';
import { browserProcessOf, killProcesses, processesMentioning } from './support/chromium-processes.js';
import { ScriptedMaster } from './support/scripted-master.js';
import { scriptedWorker } from './support/scripted-worker.js';
import { HandlerProbe, testkitPlugin } from './support/testkit-plugin.js';
import { makeTempDir } from './support/temp-dir.js';

describe('force reset of a stuck profile', () => {
  const redis = new RedisServer();
  let temp: ReturnType<typeof makeTempDir>;
  let master: ScriptedMaster;
  let worker: Worker | undefined;

  beforeAll(async () => {
    await redis.start();
  });
  afterAll(async () => {
    await redis.stop();
  });
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

  it.each(['persistent', 'shared'] as const)(
    'fails the job hung in the page with BROWSER_RESET and reopens the account under a new fence (%s mode)',
    async (browserMode) => {
      const probe = new HandlerProbe();
      worker = scriptedWorker(master, path.join(temp.dir, 'worker'), {
        plugins: [testkitPlugin(probe)],
        redisUrl: redis.url,
        redisPrefix: `test:${randomUUID()}:`,
        browserMode,
      });
      await master.registered();
      await master.assign(taskAssign('acc-1', { platform: 'testkit' }));
      const run = { accountId: 'acc-1', epoch: 1, platform: 'testkit', attempt: 1, timeoutMs: 300_000 };
      await master.run({ ...run, jobId: 'job-hung', type: 'hang', payload: {} });
      const stuckPage = await probe.pageOf('job-hung');
      const dir = worker.browsers.profileDir('acc-1');
      const stuck = browserProcessOf(dir)?.pid;
      const firstFence = worker.browsers.fenceTokenOf('acc-1')!;

      const report = await worker.resetAccount('acc-1');

      expect(await master.resultOf('job-hung', 10_000)).toMatchObject({ status: 'failed', error: { code: 'BROWSER_RESET', retryable: true } });
      expect(report).toMatchObject({ accountId: 'acc-1', state: 'running', fenceToken: firstFence + 1 });
      expect(worker.browsers.fenceTokenOf('acc-1')).toBe(firstFence + 1);
      // The account works again at once, in a new context: its own new browser in persistent mode,
      // a new context of the shared browser in shared mode (which holds no profile directory).
      if (browserMode === 'persistent') {
        expect(stuck).toBeDefined();
        expect(browserProcessOf(dir)?.pid).not.toBe(stuck);
      } else {
        expect(stuck).toBeUndefined();
      }
      await master.run({ ...run, jobId: 'job-next', type: 'hold', payload: { ms: 0, withPage: true } });
      expect(await master.resultOf('job-next')).toMatchObject({ status: 'succeeded' });
      expect((await probe.pageOf('job-next')).context()).not.toBe(stuckPage.context());
      expect(stuckPage.isClosed()).toBe(true);
    },
  );

  it('refuses to reset an account this worker does not hold, naming the field', async () => {
    worker = scriptedWorker(master, path.join(temp.dir, 'worker'), { plugins: [testkitPlugin(new HandlerProbe())] });
    await master.registered();
    await expect(worker.resetAccount('acc-unknown')).rejects.toMatchObject({ code: 'NOT_OWNER', field: 'accountId' });
  });
});
