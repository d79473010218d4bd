import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FleetHarness } from '../support/fleet-harness.js';
import { processesMentioning } from '../support/processes.js';
import { waitFor } from '../support/wait-for.js';

const CLI = path.resolve('packages/cli/dist/main.js');

describe('worker failover and hibernation', () => {
  let fleet: FleetHarness;
  let workerA: ChildProcess | undefined;
  afterEach(async () => {
    if (workerA && workerA.exitCode === null) workerA.kill('SIGKILL');
    await fleet?.close();
  });

  it('runs the next job of an account whose worker was SIGKILLed on another worker, still logged in', async () => {
    fleet = await new FleetHarness({ heartbeatIntervalMs: 300, accountFailoverMs: 1500 }).start();
    await fleet.sandboxAdmin('/users', { handle: 'erin', email: 'erin@sandbox.test', password: 'erin-secret-1' });
    const post = await fleet.sandboxAdmin('/posts', { author: 'erin', text: 'erin writes' });
    await fleet.sandboxAdmin('/users', { handle: 'fred', email: 'fred@sandbox.test', password: 'fred-secret-1' });
    await fleet.sandboxAdmin('/comments', { postId: post.id, author: 'fred', text: 'hello erin' });

    // Worker A is a real process, so it can die the hard way.
    const dataA = path.join(fleet.temp.dir, 'worker-a');
    workerA = spawn(process.execPath, [CLI, 'worker'], {
      env: {
        ...process.env,
        FLEET_MASTER_URL: fleet.master.url,
        FLEET_WORKER_TOKEN: fleet.workerToken,
        FLEET_WORKER_ID: 'wA',
        FLEET_DATA_DIR: dataA,
        FLEET_SANDBOX_URL: fleet.sandbox.url,
        FLEET_LOG_LEVEL: 'warn',
      },
      stdio: 'ignore',
    });
    await waitFor('worker A online', async () =>
      (await fleet.api('GET', '/workers')).body.items.some((w: { id: string; status: string }) => w.id === 'wA' && w.status === 'online') ? true : undefined,
    );
    const account = await fleet.api('POST', '/accounts', { platform: 'sandbox', credentials: { username: 'erin', password: 'erin-secret-1' } });
    const login = await fleet.waitForJob((await fleet.api('POST', '/jobs', { type: 'login', accountId: account.body.id })).body.id);
    expect(login).toMatchObject({ status: 'succeeded', workerId: 'wA' });
    await waitFor('the login snapshot at the master', async () =>
      (await fleet.api('GET', `/accounts/${account.body.id}`)).body.hasStorageState ? true : undefined,
    );

    await fleet.startWorker('wB');
    workerA.kill('SIGKILL');
    const moved = await waitFor(
      'the account to move to worker B',
      async () => {
        const view = (await fleet.api('GET', `/accounts/${account.body.id}`)).body;
        return view.ownerWorkerId === 'wB' ? view : undefined;
      },
      30_000,
      100,
    );
    expect(moved.epoch).toBeGreaterThan(login.epoch!);

    // The crawl needs a session: it runs on B with the state restored from the master's snapshot.
    const crawl = await fleet.waitForJob((await fleet.api('POST', '/jobs', { type: 'crawl', accountId: account.body.id })).body.id);
    expect(crawl).toMatchObject({ status: 'succeeded', workerId: 'wB' });
    expect((crawl.result as { comments: { text: string }[] }).comments.map((c) => c.text)).toEqual(['hello erin']);
    // No new login: the sandbox saw exactly one sign-in for the account.
    const sessions = (await (await fetch(`${fleet.sandbox.url}/admin/sessions`)).json()) as { items: unknown[] };
    expect(sessions.items).toHaveLength(1);
    // A killed worker's browsers die with it (their pipe closes): none of worker A is left.
    await waitFor('worker A processes to end', () => (processesMentioning(dataA).length === 0 ? true : undefined), 15_000, 200);
  });

  it('serves 30 accounts through a worker capped at 5 live contexts, never more than 5 open', async () => {
    fleet = await new FleetHarness().start();
    await fleet.sandboxAdmin('/users', { handle: 'gina', email: 'gina@sandbox.test', password: 'gina-secret-1' });
    const worker = await fleet.startWorker('w1', { maxLiveContexts: 5, maxConcurrency: 2, maxAccounts: 100 });
    let maxLive = 0;
    const sampler = setInterval(() => (maxLive = Math.max(maxLive, worker.browsers.liveCount)), 10);
    try {
      const jobs: string[] = [];
      for (let i = 0; i < 30; i += 1) {
        const account = await fleet.api('POST', '/accounts', { platform: 'sandbox', credentials: { username: 'gina', password: 'gina-secret-1' } });
        jobs.push((await fleet.api('POST', '/jobs', { type: 'login', accountId: account.body.id })).body.id);
      }
      const done = await Promise.all(jobs.map((id) => fleet.waitForJob(id, undefined, 180_000)));
      expect(done.map((j) => j.status)).toEqual(Array(30).fill('succeeded'));
    } finally {
      clearInterval(sampler);
    }
    expect(maxLive).toBeGreaterThan(1);
    expect(maxLive).toBeLessThanOrEqual(5);
  }, 240_000);
});
