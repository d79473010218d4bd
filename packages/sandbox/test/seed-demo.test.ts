import { seedDemo } from '@fleetwright/sandbox';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SandboxFixture } from './support/sandbox-fixture.js';

const DEMO_PASSWORD = 'demo-pass-1';

describe('seedDemo', () => {
  let fx: SandboxFixture;
  beforeEach(async () => {
    fx = await SandboxFixture.start();
  });
  afterEach(async () => {
    await fx?.close();
  });

  it('keeps its users, posts and comments with their ids', () => {
    const users = seedDemo(fx.server.store, DEMO_PASSWORD);
    const { store } = fx.server;
    expect(users.map((u) => u.handle)).toEqual(['alice', 'bob']);
    expect([...store.users.values()].map((u) => [u.id, u.handle])).toEqual([
      ['u1', 'alice'],
      ['u2', 'bob'],
    ]);
    expect([...store.posts.values()].map((p) => [p.id, p.authorId, p.text])).toEqual([
      ['p3', 'u1', 'Hello from Alice: our first post'],
      ['p4', 'u2', 'Bob here, testing the sandbox'],
    ]);
    expect([...store.comments.values()].map((c) => [c.id, c.postId, c.authorId, c.text, c.parentId])).toEqual([
      ['c5', 'p3', 'u2', 'Welcome, Alice!', undefined],
      ['c6', 'p3', 'u2', 'Looking forward to more posts.', undefined],
      ['c7', 'p4', 'u1', 'Nice one, Bob.', undefined],
    ]);
  });

  it("adds two DMs from bob to alice, alice's 3-seat team, and a pending invite in bob's inbox", async () => {
    seedDemo(fx.server.store, DEMO_PASSWORD);
    const alice = await fx.anonymous().login('alice', DEMO_PASSWORD);
    const bob = await fx.anonymous().login('bob', DEMO_PASSWORD);

    const conversation = (await alice.get('/messages')).document.querySelector('li.conversation');
    expect(conversation?.querySelector('.with')?.text).toBe('@bob');
    const messages = (await alice.get(`/messages/${conversation?.getAttribute('data-conversation-id')}`)).document.querySelectorAll('li.message');
    expect(messages.map((m) => m.querySelector('.author')?.text)).toEqual(['@bob', '@bob']);

    const team = (await alice.get('/team')).document;
    expect(team.querySelector('#team-seats')?.text).toBe('1 of 3 seats used');
    expect(team.querySelectorAll('li.invite').map((i) => [i.getAttribute('data-email')])).toEqual([['bob@sandbox.test']]);
    expect((await bob.get('/inbox')).document.querySelectorAll('li.invite .team-name').map((n) => n.text)).toEqual([team.querySelector('#team-name')?.text]);
    expect((await fx.anonymous().getJson('/oracle/duplicate-replies')).body).toEqual({ duplicates: [] });
  });
});
