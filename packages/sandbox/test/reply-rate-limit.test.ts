import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PageResponse, SandboxClient } from './support/sandbox-client.js';
import { SandboxFixture } from './support/sandbox-fixture.js';

interface AcceptedReplies {
  user: string;
  acceptedAt: number[];
  refused: number;
  busiestWindow?: number;
}

describe('per-account reply limits: 429 with Retry-After', () => {
  let fx: SandboxFixture;
  let alice: SandboxClient;
  let bob: SandboxClient;
  let commentId: string;
  let conversationId: string;

  beforeEach(async () => {
    fx = await SandboxFixture.start();
    alice = await fx.signedInUser('alice');
    bob = await fx.signedInUser('bob');
    const postId = (await fx.seed('/posts', { author: 'alice', text: 'alice writes' })).id;
    commentId = (await fx.seed('/comments', { postId, author: 'bob', text: 'first!' })).id;
    conversationId = (await fx.seed('/messages', { from: 'bob', to: 'alice', text: 'hi alice' })).conversationId;
  });
  afterEach(async () => {
    await fx?.close();
  });

  const reply = (who: SandboxClient, text: string): Promise<PageResponse> => who.postForm(`/comments/${commentId}/replies`, { text });
  const texts = (): string[] => fx.server.store.repliesTo(commentId).map((r) => r.text);
  async function oracle(query = ''): Promise<AcceptedReplies[]> {
    const res = await fetch(`${fx.url}/oracle/accepted-replies${query}`, { signal: AbortSignal.timeout(5000) });
    expect(res.status).toBe(200);
    return ((await res.json()) as { items: AcceptedReplies[] }).items;
  }

  it('accepts every reply while no limit is set, and logs each accepted one per account', async () => {
    for (let i = 1; i <= 5; i += 1) expect((await reply(alice, `reply ${i}`)).status).toBe(303);
    expect((await alice.postForm(`/messages/${conversationId}`, { text: 'a dm' })).status).toBe(303);

    const [entry] = await oracle('?user=alice');
    expect(entry).toMatchObject({ user: 'alice', refused: 0 });
    expect(entry!.acceptedAt).toHaveLength(6);
    expect([...entry!.acceptedAt].sort((a, b) => a - b)).toEqual(entry!.acceptedAt);
    expect((await fx.admin('GET', '/reply-limits')).body).toEqual({ items: [] });
  });

  it("answers a reply over the account's limit with 429, Retry-After in seconds and Retry-After-Ms, and does not post it", async () => {
    expect(await fx.seed('/reply-limits', { user: 'alice', max: 2, windowMs: 60_000 })).toEqual({ user: 'alice', max: 2, windowMs: 60_000 });
    expect((await reply(alice, 'one')).status).toBe(303);
    expect((await reply(alice, 'two')).status).toBe(303);

    const refused = await reply(alice, 'three');
    expect(refused.status).toBe(429);
    const waitMs = Number(refused.headers.get('retry-after-ms'));
    expect(Number.isInteger(waitMs) && waitMs > 0 && waitMs <= 60_000).toBe(true);
    expect(refused.headers.get('retry-after')).toBe(String(Math.ceil(waitMs / 1000)));
    expect(refused.document.querySelector('.error[role="alert"]')?.text).toContain('replying too fast');
    expect(texts()).toEqual(['one', 'two']);

    // DMs are replies too; another account is not held by alice's limit.
    expect((await alice.postForm(`/messages/${conversationId}`, { text: 'a dm' })).status).toBe(429);
    expect((await reply(bob, 'bob answers')).status).toBe(303);

    const entries = await oracle('?windowMs=60000');
    expect(entries.find((e) => e.user === 'alice')).toMatchObject({ refused: 2, busiestWindow: 2 });
    expect(entries.find((e) => e.user === 'alice')!.acceptedAt).toHaveLength(2);
    expect(entries.find((e) => e.user === 'bob')).toMatchObject({ refused: 0, busiestWindow: 1 });
  });

  it('accepts the next reply once the advertised Retry-After-Ms has passed', async () => {
    await fx.seed('/reply-limits', { user: 'alice', max: 1, windowMs: 400 });
    expect((await reply(alice, 'one')).status).toBe(303);
    const refused = await reply(alice, 'two');
    expect(refused.status).toBe(429);
    const waitMs = Number(refused.headers.get('retry-after-ms'));
    expect(waitMs).toBeGreaterThan(0);
    expect(waitMs).toBeLessThanOrEqual(400);
    expect(refused.headers.get('retry-after')).toBe('1');

    await sleep(waitMs + 5);
    expect((await reply(alice, 'two')).status).toBe(303);
    expect(texts()).toEqual(['one', 'two']);
    const [entry] = await oracle('?user=alice&windowMs=400');
    expect(entry).toMatchObject({ refused: 1, busiestWindow: 1 });
  });

  it('lifts the limit on DELETE, and lists the limits set', async () => {
    await fx.seed('/reply-limits', { user: 'alice', max: 1, windowMs: 60_000 });
    await fx.seed('/reply-limits', { user: 'bob@sandbox.test', max: 5, windowMs: 1000 });
    expect((await fx.admin('GET', '/reply-limits')).body).toEqual({
      items: [
        { user: 'alice', max: 1, windowMs: 60_000 },
        { user: 'bob', max: 5, windowMs: 1000 },
      ],
    });
    expect((await reply(alice, 'one')).status).toBe(303);
    expect((await reply(alice, 'two')).status).toBe(429);

    expect(await fx.admin('DELETE', '/reply-limits/alice')).toEqual({ status: 200, body: { user: 'alice', removed: true } });
    expect((await reply(alice, 'two')).status).toBe(303);
    expect(await fx.admin('DELETE', '/reply-limits/alice')).toEqual({ status: 200, body: { user: 'alice', removed: false } });
  });

  it.each([
    [{ user: 'alice', max: 0, windowMs: 1000 }, 400, 'max'],
    [{ user: 'alice', max: -3, windowMs: 1000 }, 400, 'max'],
    [{ user: 'alice', max: 2, windowMs: 0 }, 400, 'windowMs'],
    [{ user: 'alice', max: 2.5, windowMs: 1000 }, 400, 'max'],
    [{ user: 'alice', max: 2 }, 400, 'windowMs'],
    [{ user: 'alice', max: 2, windowMs: 1000, scope: 'platform' }, 400, 'scope'],
    [{ user: 'nobody', max: 2, windowMs: 1000 }, 404, 'user'],
  ])('refuses the limit %j naming the field', async (body, status, field) => {
    const res = await fx.admin('POST', '/reply-limits', body);
    expect(res.status).toBe(status);
    expect(res.body).toMatchObject({ field });
    expect((await fx.admin('GET', '/reply-limits')).body).toEqual({ items: [] });
  });

  it('refuses a bad oracle query naming the field', async () => {
    expect((await fetch(`${fx.url}/oracle/accepted-replies?windowMs=0`)).status).toBe(400);
    expect((await fetch(`${fx.url}/oracle/accepted-replies?user=nobody`)).status).toBe(404);
  });
});
