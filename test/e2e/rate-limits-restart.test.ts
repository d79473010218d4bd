import { afterEach, describe, expect, it } from 'vitest';
import { SandboxServer } from '@fleetwright/sandbox';
import { createLogger, findChromium } from '@fleetwright/shared';
import { Worker, createSandboxPlugin } from '@fleetwright/worker';
import { MasterProcess } from '../../packages/master/test/support/master-process.js';
import { makeTempDir } from '../support/temp-dir.js';
import { waitFor } from '../support/wait-for.js';

const quiet = createLogger({ name: 'test', console: false });

/**
 * A real master process killed with SIGKILL and started again on the same data, a real worker (in
 * this process, Chromium against the sandbox): the limit and the window it counted hold across.
 */
describe('limits across a master restart', () => {
  let proc: MasterProcess | undefined;
  let sandbox: SandboxServer | undefined;
  let worker: Worker | undefined;
  let temp: { dir: string; remove(): void } | undefined;
  afterEach(async () => {
    await worker?.close();
    await proc?.close();
    await sandbox?.close();
    temp?.remove();
    worker = proc = sandbox = temp = undefined;
  });

  const workerOnline = () =>
    waitFor('worker w1 online', async () =>
      (await proc!.api('GET', '/workers')).body.items.some((w: any) => w.id === 'w1' && w.status === 'online') ? true : undefined,
    );
  const jobIn = (id: string, what: string, check: (job: any) => boolean) =>
    waitFor(
      `job ${id}: ${what}`,
      async () => {
        const job = (await proc!.api('GET', `/jobs/${id}`)).body;
        return check(job) ? job : undefined;
      },
      60_000,
    );

  it('keeps holding a job whose window is used up after the master is killed and started again', async () => {
    temp = makeTempDir();
    sandbox = new SandboxServer();
    await sandbox.start();
    await fetch(`${sandbox.url}/admin/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ handle: 'erin', email: 'erin@sandbox.test', password: 'erin-secret-1' }),
    });
    proc = await MasterProcess.create({ heartbeatIntervalMs: 300 });
    await proc.start();
    worker = new Worker({
      workerId: 'w1',
      masterUrl: proc.url,
      token: proc.workerToken,
      dataDir: `${temp.dir}/w1`,
      chromiumPath: findChromium(),
      plugins: [createSandboxPlugin({ baseUrl: sandbox.url })],
      maxConcurrency: 2,
      maxLiveContexts: 4,
      drainTimeoutMs: 5000,
      logger: quiet,
    });
    worker.start();
    await workerOnline();
    const accountId = (await proc.api('POST', '/accounts', { platform: 'sandbox', credentials: { username: 'erin', password: 'erin-secret-1' } })).body.id;
    const login = (await proc.api('POST', '/jobs', { type: 'login', accountId })).body.id;
    await jobIn(login, 'succeeded', (j) => j.status === 'succeeded');

    const limit = { scope: 'account', target: accountId, jobType: 'crawl', rule: { max: 2, windowMs: 600_000 } };
    expect((await proc.api('PUT', '/limits', limit)).status).toBe(200);
    const crawls = [];
    for (let i = 0; i < 3; i++) crawls.push((await proc.api('POST', '/jobs', { type: 'crawl', accountId })).body.id as string);
    await jobIn(crawls[1]!, 'succeeded', (j) => j.status === 'succeeded');
    await jobIn(crawls[2]!, 'held', (j) => j.heldBy?.limit === `account:${accountId}:crawl`);

    await proc.kill();
    await proc.start();
    await workerOnline();
    expect((await proc.api('GET', '/limits')).body.items).toEqual([expect.objectContaining({ id: `account:${accountId}:crawl`, rule: limit.rule })]);
    const held = await jobIn(crawls[2]!, 'held after the restart', (j) => j.heldBy !== undefined);
    expect(held).toMatchObject({ status: 'queued', heldBy: { limit: `account:${accountId}:crawl` } });
    // Held until a window after the first crawl ended (then one of the two leaves it), by the counts rebuilt from the store.
    const first = (await proc.api('GET', `/jobs/${crawls[0]}`)).body;
    expect(Date.parse(held.heldBy.until)).toBe(Date.parse(first.finishedAt) + 600_000 + 1);

    // Loosened: it runs at once.
    expect((await proc.api('PUT', '/limits', { ...limit, rule: { max: 3, windowMs: 600_000 } })).status).toBe(200);
    expect(await jobIn(crawls[2]!, 'succeeded', (j) => j.status === 'succeeded')).toMatchObject({ attempt: 1 });
  });
});
