import { afterEach, describe, expect, it } from 'vitest';
import { FleetHarness } from '../support/fleet-harness.js';

describe('a job end to end: master → worker → real Chromium → sandbox', () => {
  let fleet: FleetHarness;
  afterEach(async () => {
    await fleet?.close();
  });

  it('logs in, crawls exactly the seeded comments, and the worker heartbeats', async () => {
    fleet = await new FleetHarness({ heartbeatIntervalMs: 300 }).start();
    await fleet.sandboxAdmin('/users', { handle: 'alice', email: 'alice@sandbox.test', password: 'alice-secret-1' });
    await fleet.sandboxAdmin('/users', { handle: 'bob', email: 'bob@sandbox.test', password: 'bob-secret-1' });
    const alicePost = await fleet.sandboxAdmin('/posts', { author: 'alice', text: 'alice writes' });
    const bobPost = await fleet.sandboxAdmin('/posts', { author: 'bob', text: 'bob writes' });
    const seeded = [];
    for (const text of ['first!', 'nice <b>post</b>', 'third & last'])
      seeded.push(await fleet.sandboxAdmin('/comments', { postId: alicePost.id, author: 'bob', text }));
    // A comment on someone else's post is not alice's to crawl.
    await fleet.sandboxAdmin('/comments', { postId: bobPost.id, author: 'alice', text: 'not on my post' });

    await fleet.startWorker('w1');
    const account = await fleet.api('POST', '/accounts', {
      platform: 'sandbox',
      label: 'alice',
      credentials: { username: 'alice', password: 'alice-secret-1' },
    });
    expect(account.status).toBe(201);
    expect(account.body.credentials).toEqual({ username: 'alice', password: '********' });

    const login = await fleet.api('POST', '/jobs', { type: 'login', accountId: account.body.id });
    expect(login.status).toBe(201);
    const crawl = await fleet.api('POST', '/jobs', { type: 'crawl', accountId: account.body.id });
    const loginDone = await fleet.waitForJob(login.body.id);
    const crawlDone = await fleet.waitForJob(crawl.body.id);

    expect(loginDone).toMatchObject({ status: 'succeeded', workerId: 'w1', progress: { percent: 100 }, result: { loggedIn: true, handle: 'alice' } });
    expect(crawlDone).toMatchObject({ status: 'succeeded', workerId: 'w1', progress: { percent: 100 } });
    const comments = (crawlDone.result as { comments: { id: string; author: string; text: string; postId: string }[] }).comments;
    expect(comments.map((c) => ({ id: c.id, author: c.author, text: c.text, postId: c.postId }))).toEqual(
      seeded.map((c) => ({ id: c.id, author: 'bob', text: c.text, postId: alicePost.id })),
    );
    // Jobs ran in order on one account: the crawl started after the login finished.
    expect(Date.parse(crawlDone.startedAt!)).toBeGreaterThanOrEqual(Date.parse(loginDone.finishedAt!));

    // The login saved the session: the master holds an encrypted storage state for the account.
    const after = await fleet.api('GET', `/accounts/${account.body.id}`);
    expect(after.body).toMatchObject({ ownerWorkerId: 'w1', hasStorageState: true, steps: { login: { status: 'success' } } });
    // The master gave the account a device profile naming the Chromium the worker really runs,
    // and the sandbox saw exactly that user agent on the session.
    const userAgent: string = after.body.deviceProfile.userAgent;
    expect(userAgent).toMatch(/Chrome\/\d{3}\.0\.0\.0/);
    const sessions = (await (await fetch(`${fleet.sandbox.url}/admin/sessions`)).json()) as { items: { userAgent: string }[] };
    expect(sessions.items.map((s) => s.userAgent)).toEqual([userAgent]);

    // Wait past a few heartbeats: stats only arrive with a heartbeat, never with the registration.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const workers = await fleet.api('GET', '/workers');
    const w1 = workers.body.items.find((w: { id: string }) => w.id === 'w1');
    expect(w1.status).toBe('online');
    expect(Date.now() - Date.parse(w1.lastHeartbeatAt)).toBeLessThan(3 * 300 + 500);
    expect(w1.stats.liveContexts).toBe(1);
    expect(w1.stats.browserRssBytes).toBeGreaterThan(0);
    expect(w1.capabilities).toMatchObject([{ platform: 'sandbox', jobTypes: ['accept_invite', 'crawl', 'invite', 'login', 'reply'] }]);
    expect(Object.keys(w1.capabilities[0].payloadSchemas).sort()).toEqual(['accept_invite', 'crawl', 'invite', 'login', 'reply']);

    const health = await fetch(`${fleet.master.url}/health`).then((r) => r.json());
    expect(health).toEqual({
      status: 'ok',
      workers: { online: 1, draining: 0, offline: 0 },
      accounts: { total: 1, live: 1, busy: 0 },
      jobs: { queued: 0, running: 0 },
      pools: {},
    });
  });
});
