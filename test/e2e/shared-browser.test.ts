import { afterEach, describe, expect, it } from 'vitest';
import { createSandboxPlugin } from '@fleetwright/worker';
import { HandlerProbe, testkitPlugin } from '../../packages/worker/test/support/testkit-plugin.js';
import { processesMentioning } from '../../packages/worker/test/support/chromium-processes.js';
import { FleetHarness } from '../support/fleet-harness.js';
import { waitFor } from '../support/wait-for.js';

/** The main processes of the shared browsers of a worker (Chromium rewrites its children's argv into one string). */
function sharedBrowsers(workerDir: string): number[] {
  return processesMentioning(`${workerDir}/shared-browsers/`)
    .filter((p) => !p.argv.join(' ').includes('--type='))
    .map((p) => p.pid);
}

describe('shared browser mode end to end', () => {
  let fleet: FleetHarness;
  afterEach(async () => {
    await fleet?.close();
  });

  it('logs two accounts in and crawls, each in its own context of one shared Chromium', async () => {
    fleet = await new FleetHarness().start();
    for (const handle of ['alice', 'bob']) await fleet.sandboxAdmin('/users', { handle, email: `${handle}@sandbox.test`, password: `${handle}-secret-1` });
    const post = await fleet.sandboxAdmin('/posts', { author: 'alice', text: 'alice writes' });
    await fleet.sandboxAdmin('/comments', { postId: post.id, author: 'bob', text: 'hello alice' });
    await fleet.startWorker('w1', { browserMode: 'shared' });

    const jobs: { login: string; crawl: string; handle: string }[] = [];
    for (const handle of ['alice', 'bob']) {
      const account = await fleet.api('POST', '/accounts', {
        platform: 'sandbox',
        label: handle,
        credentials: { username: handle, password: `${handle}-secret-1` },
      });
      const login = await fleet.api('POST', '/jobs', { type: 'login', accountId: account.body.id });
      const crawl = await fleet.api('POST', '/jobs', { type: 'crawl', accountId: account.body.id });
      jobs.push({ login: login.body.id, crawl: crawl.body.id, handle });
    }
    for (const job of jobs) {
      expect(await fleet.waitForJob(job.login)).toMatchObject({ status: 'succeeded', result: { loggedIn: true, handle: job.handle } });
      expect(await fleet.waitForJob(job.crawl)).toMatchObject({ status: 'succeeded' });
    }
    const crawled = await fleet.waitForJob(jobs[0]!.crawl);
    expect((crawled.result as { comments: { text: string }[] }).comments.map((c) => c.text)).toEqual(['hello alice']);
    expect(sharedBrowsers(`${fleet.temp.dir}/w1`)).toHaveLength(1);
  });

  it('runs again, and finishes, the jobs that were running when the shared browser was SIGKILLed', async () => {
    fleet = await new FleetHarness().start();
    const probe = new HandlerProbe();
    const worker = await fleet.startWorker('w1', {
      browserMode: 'shared',
      plugins: [createSandboxPlugin({ baseUrl: fleet.sandbox.url }), testkitPlugin(probe)],
    });
    const jobIds: string[] = [];
    for (const label of ['one', 'two']) {
      const account = await fleet.api('POST', '/accounts', { platform: 'testkit', label });
      const job = await fleet.api('POST', '/jobs', { type: 'hold', accountId: account.body.id, payload: { ms: 3000, withPage: true }, maxAttempts: 3 });
      expect(job.status).toBe(201);
      jobIds.push(job.body.id);
    }
    await waitFor('both jobs holding their pages', () => (jobIds.every((id) => probe.pages.has(id)) ? true : undefined), 20_000);
    const [browser] = sharedBrowsers(`${fleet.temp.dir}/w1`);
    expect(browser).toBeDefined();

    process.kill(browser!, 'SIGKILL');

    for (const id of jobIds) {
      const done = await fleet.waitForJob(id);
      expect(done).toMatchObject({ status: 'succeeded', attempt: 2, result: { held: 3000 } });
      const events = (await fleet.api('GET', `/jobs/${id}/events`)).body.items as unknown[];
      expect(JSON.stringify(events)).toContain('BROWSER_CRASHED');
    }
    // A new shared browser holds both accounts again, and the dead one is gone.
    expect(worker.browsers.liveCount).toBe(2);
    expect(sharedBrowsers(`${fleet.temp.dir}/w1`)).not.toContain(browser);
  });
});
