import { afterEach, describe, expect, it } from 'vitest';
import { FleetHarness } from '../support/fleet-harness.js';
import { busiestWindow } from '@fleetwright/sandbox';

describe('limits pace a real fleet as the platform sees it', () => {
  let fleet: FleetHarness | undefined;
  afterEach(async () => {
    await fleet?.close();
    fleet = undefined;
  });

  async function putLimit(f: FleetHarness, body: Record<string, unknown>): Promise<void> {
    const res = await f.api('PUT', '/limits', body);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  }

  it('posts 60 replies from one account at no more than 10 per window by the sandbox’s own clock, and every one succeeds', async () => {
    const f = (fleet = await new FleetHarness().start());
    await f.sandboxAdmin('/users', { handle: 'alice', email: 'alice@sandbox.test', password: 'alice-secret-1' });
    await f.sandboxAdmin('/users', { handle: 'bob', email: 'bob@sandbox.test', password: 'bob-secret-1' });
    await f.startWorker('w1');
    const account = (await f.api('POST', '/accounts', { platform: 'sandbox', credentials: { username: 'alice', password: 'alice-secret-1' } })).body;
    const login = await f.api('POST', '/jobs', { type: 'login', accountId: account.id });
    expect(await f.waitForJob(login.body.id)).toMatchObject({ status: 'succeeded' });

    // Longer than ten replies take here, so the limit has to hold the rest.
    const windowMs = 12_000;
    await putLimit(f, { scope: 'account', target: account.id, jobType: 'reply', rule: { max: 10, windowMs } });
    const post = await f.sandboxAdmin('/posts', { author: 'alice', text: 'alice asks for replies' });
    const questions = [];
    for (let i = 0; i < 60; i++) questions.push(await f.sandboxAdmin('/comments', { postId: post.id, author: 'bob', text: `question ${i}` }));
    const bulk = await f.api('POST', '/jobs/bulk', {
      jobs: questions.map((q, i) => ({ type: 'reply', accountId: account.id, payload: { kind: 'comment', targetId: q.id, text: `answer ${i}` } })),
    });
    expect(bulk.status).toBe(201);
    const ids = (bulk.body.items as { id: string }[]).map((j) => j.id);

    for (const id of ids) expect(await f.waitForJob(id, undefined, 120_000)).toMatchObject({ status: 'succeeded', attempt: 1 });

    // The sandbox is the judge: when it stored each reply.
    const posted = questions.flatMap((q) => f.sandbox.store.repliesTo(q.id).filter((r) => f.sandbox.store.users.get(r.authorId)?.handle === 'alice'));
    expect(posted).toHaveLength(60);
    expect(
      busiestWindow(
        posted.map((r) => Date.parse(r.createdAt)),
        windowMs,
      ),
    ).toBeLessThanOrEqual(10);
    // And the limit did hold some of them on the way.
    const held = await Promise.all(
      ids.map(async (id) => (await f.api('GET', `/jobs/${id}/events?limit=500`)).body.items as { kind: string; data: { step?: string } }[]),
    );
    expect(held.filter((events) => events.some((e) => e.kind === 'progress' && e.data.step === 'held')).length).toBeGreaterThan(0);
  }, 240_000);

  it('sends a pool job past an account at its limit to another account of the pool', async () => {
    const f = (fleet = await new FleetHarness().start());
    await f.startWorker('w1');
    const accounts = [];
    for (const handle of ['carol', 'dave']) {
      await f.sandboxAdmin('/users', { handle, email: `${handle}@sandbox.test`, password: `${handle}-secret-1` });
      const account = (
        await f.api('POST', '/accounts', { platform: 'sandbox', tags: ['team'], credentials: { username: handle, password: `${handle}-secret-1` } })
      ).body;
      const login = await f.api('POST', '/jobs', { type: 'login', accountId: account.id });
      expect(await f.waitForJob(login.body.id)).toMatchObject({ status: 'succeeded' });
      accounts.push(account);
    }
    const [carol, dave] = accounts;
    await putLimit(f, { scope: 'account', target: carol.id, jobType: 'crawl', rule: { max: 1, windowMs: 600_000 } });
    const own = await f.api('POST', '/jobs', { type: 'crawl', accountId: carol.id });
    expect(await f.waitForJob(own.body.id)).toMatchObject({ status: 'succeeded' });

    // carol comes first in the pool, but her limit is used up: the pool's job goes to dave.
    const pooled = await f.api('POST', '/jobs', { type: 'crawl', pool: 'team' });
    expect(await f.waitForJob(pooled.body.id)).toMatchObject({ status: 'succeeded', accountId: dave.id });
  });

  it('holds a platform-wide login limit across three workers, by the sandbox’s own record of sign-ins', async () => {
    const f = (fleet = await new FleetHarness().start());
    for (const id of ['w1', 'w2', 'w3']) await f.startWorker(id, { maxLiveContexts: 2 });
    const windowMs = 2000;
    await putLimit(f, { scope: 'platform', target: 'sandbox', jobType: 'login', rule: { max: 2, windowMs } });
    const accounts = [];
    for (let i = 0; i < 6; i++) {
      const handle = `user${i}`;
      await f.sandboxAdmin('/users', { handle, email: `${handle}@sandbox.test`, password: `${handle}-secret-1` });
      accounts.push((await f.api('POST', '/accounts', { platform: 'sandbox', credentials: { username: handle, password: `${handle}-secret-1` } })).body);
    }
    const logins = [];
    for (const account of accounts) logins.push((await f.api('POST', '/jobs', { type: 'login', accountId: account.id })).body.id as string);
    const done = [];
    for (const id of logins) done.push(await f.waitForJob(id, undefined, 120_000));
    expect(done.every((j) => j.status === 'succeeded')).toBe(true);

    expect(new Set(done.map((j) => j.workerId)).size).toBe(3);
    const signIns = [...f.sandbox.store.sessions.values()].map((s) => Date.parse(s.createdAt));
    expect(signIns).toHaveLength(6);
    expect(busiestWindow(signIns, windowMs)).toBeLessThanOrEqual(2);
  });
});
