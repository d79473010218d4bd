import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSandboxPlugin } from '@fleetwright/worker';
import { RunnerRig } from './support/runner-rig.js';
import { SandboxSite, type SeededUser } from './support/sandbox-site.js';
import { SlowProxy } from './support/slow-proxy.js';
import { waitFor } from './support/wait-for.js';

describe('sandbox plugin (JobRunner + BrowserManager + real sandbox)', () => {
  let site: SandboxSite;
  let rig: RunnerRig;
  let alice: SeededUser;
  let bob: SeededUser;

  beforeEach(async () => {
    site = await new SandboxSite().start();
    alice = await site.addUser('alice');
    bob = await site.addUser('bob');
    rig = new RunnerRig({ plugins: [createSandboxPlugin({ baseUrl: site.url })] });
    rig.assign('acc-alice', { epoch: 4, credentials: { username: 'alice', password: alice.password } });
  });

  afterEach(async () => {
    await rig.close();
    await site.close();
  });

  async function runJob(type: string, payload: Record<string, unknown> = {}) {
    const run = rig.start({ accountId: 'acc-alice', epoch: 4, type, payload });
    const result = await rig.reporter.resultOf(run.jobId, 30_000);
    await waitFor('the runner to finish the job', () => (rig.runner.runningCount === 0 ? true : undefined));
    return { run, result };
  }

  it('logs in with the right password and reports a snapshot holding the sandbox session cookie', async () => {
    const { run, result } = await runJob('login', { method: 'password' });

    expect(result).toMatchObject({ status: 'succeeded', epoch: 4, result: { loggedIn: true, skipped: false, handle: 'alice' } });
    expect(rig.reporter.snapshots).toHaveLength(1);
    const snapshot = rig.reporter.snapshots[0]!;
    expect(snapshot).toMatchObject({ accountId: 'acc-alice', epoch: 4, version: 1 });
    const sid = snapshot.storageState.cookies.find((c) => c.name === 'sandbox_sid');
    expect([...site.server.store.sessions.keys()]).toEqual([sid?.value]);
    expect(rig.reporter.progressOf(run.jobId).at(-1)).toMatchObject({ percent: 100, step: 'logged_in' });
    const log = readFileSync(path.join(rig.temp.dir, 'jobs', run.jobId, 'run.log'), 'utf8');
    expect(log).toContain('signed in as @alice');
    expect(log).not.toContain(alice.password);
  });

  it('fails a login with a wrong password with AUTH_FAILED, not retryable, and saves no state', async () => {
    rig.assign('acc-alice', { epoch: 4, credentials: { username: 'alice', password: 'not-her-password' } });

    const { result } = await runJob('login');

    expect(result).toMatchObject({ status: 'failed', error: { code: 'AUTH_FAILED', retryable: false } });
    expect(rig.reporter.snapshots).toEqual([]);
    expect(site.server.store.sessions.size).toBe(0);
  });

  it('still tells a wrong password apart when the login form takes 1.5 s to answer', async () => {
    const proxy = new SlowProxy(site.url, { method: 'POST', path: '/login', delayMs: 1500 });
    const slowUrl = await proxy.start();
    try {
      const slowRig = new RunnerRig({ plugins: [createSandboxPlugin({ baseUrl: slowUrl })] });
      slowRig.assign('acc-alice', { credentials: { username: 'alice', password: 'not-her-password' } });
      try {
        const run = slowRig.start({ accountId: 'acc-alice', type: 'login' });
        expect(await slowRig.reporter.resultOf(run.jobId, 30_000)).toMatchObject({ status: 'failed', error: { code: 'AUTH_FAILED' } });
      } finally {
        await slowRig.close();
      }
    } finally {
      await proxy.close();
    }
  });

  it('skips a second login while the session is still valid', async () => {
    await runJob('login');

    const { result } = await runJob('login');

    expect(result).toMatchObject({ status: 'succeeded', result: { loggedIn: true, skipped: true, handle: 'alice' } });
    expect(site.server.store.sessions.size).toBe(1);
    expect(rig.reporter.snapshots).toHaveLength(1);
  });

  it('fails a crawl before any login with AUTH_FAILED', async () => {
    const { result } = await runJob('crawl');

    expect(result).toMatchObject({ status: 'failed', error: { code: 'AUTH_FAILED', retryable: false } });
  });

  it("crawls exactly the comments on the account's own posts, with their text verbatim", async () => {
    const mine = await site.addPost('alice', 'alice writes');
    const theirs = await site.addPost('bob', 'bob writes');
    const seeded = [
      await site.addComment(mine.id, 'bob', '<b>x</b> & "y"'),
      await site.addComment(mine.id, 'alice', "it's <script>alert(1)</script>"),
      await site.addComment(mine.id, 'bob', 'plain third'),
    ];
    await site.addComment(theirs.id, 'alice', 'a comment on a post that is not mine');
    await runJob('login');

    const { result } = await runJob('crawl', { kinds: ['comments'] });

    expect(result.status).toBe('succeeded');
    const comments = (result as { result: { comments: { id: string; postId: string; author: string; text: string; createdAt: string }[] } }).result.comments;
    const handles = new Map([
      [alice.id, 'alice'],
      [bob.id, 'bob'],
    ]);
    expect(comments).toEqual(seeded.map((c) => ({ id: c.id, postId: mine.id, author: handles.get(c.authorId), text: c.text, createdAt: c.createdAt })));
  });
});
