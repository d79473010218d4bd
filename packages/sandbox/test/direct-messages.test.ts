import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SandboxClient } from './support/sandbox-client.js';
import { SandboxFixture } from './support/sandbox-fixture.js';

describe('direct messages', () => {
  let fx: SandboxFixture;
  let alice: SandboxClient;
  let conversationId: string;

  beforeEach(async () => {
    fx = await SandboxFixture.start();
    alice = await fx.signedInUser('alice');
    await fx.addUser('bob');
    const first = await fx.seed('/messages', { from: 'bob', to: 'alice', text: 'hi alice' });
    await fx.seed('/messages', { from: 'bob', to: 'alice@sandbox.test', text: 'are you <there>?' });
    conversationId = first.conversationId;
  });
  afterEach(async () => {
    await fx?.close();
  });

  it('lists my conversations with the other handle and the last message', async () => {
    const page = await alice.get('/messages');
    const items = page.document.querySelectorAll('li.conversation');
    expect(items.map((li) => [li.getAttribute('data-conversation-id'), li.querySelector('.with')?.text, li.querySelector('.last-message')?.text])).toEqual([
      [conversationId, '@bob', 'are you <there>?'],
    ]);
    expect(items[0]?.querySelector('a')?.getAttribute('href')).toBe(`/messages/${conversationId}`);
  });

  it('lists the conversation with the newest message first', async () => {
    await fx.addUser('carol');
    await fx.seed('/messages', { from: 'carol', to: 'alice', text: 'from carol' });
    const withHandles = async () => (await alice.get('/messages')).document.querySelectorAll('li.conversation').map((li) => li.getAttribute('data-with'));
    expect(await withHandles()).toEqual(['carol', 'bob']);
    await fx.seed('/messages', { from: 'bob', to: 'alice', text: 'bob again' });
    expect(await withHandles()).toEqual(['bob', 'carol']);
  });

  it('shows the messages in order and a reply from the form adds mine', async () => {
    const page = await alice.get(`/messages/${conversationId}`);
    const before = page.document.querySelectorAll('li.message');
    expect(before.map((m) => [m.querySelector('.author')?.text, m.querySelector('.text')?.text])).toEqual([
      ['@bob', 'hi alice'],
      ['@bob', 'are you <there>?'],
    ]);
    expect(before.every((m) => /^\d{4}-\d\d-\d\dT/.test(m.querySelector('time')?.getAttribute('datetime') ?? ''))).toBe(true);
    const form = page.document.querySelector('form#dm-reply-form');
    expect(form?.querySelector('textarea[name="text"]')).toBeDefined();
    expect(form?.querySelector('#dm-reply-submit')).toBeDefined();

    const sent = await alice.postForm(form?.getAttribute('action') ?? '', { text: 'yes, here' });
    expect(sent.status).toBe(303);
    expect(sent.location).toBe(`/messages/${conversationId}`);
    const after = (await alice.get(`/messages/${conversationId}`)).document.querySelectorAll('li.message');
    expect(after).toHaveLength(3);
    expect([after[2]?.querySelector('.author')?.text, after[2]?.querySelector('.text')?.text]).toEqual(['@alice', 'yes, here']);
    expect(after[2]?.getAttribute('data-message-id')).toMatch(/^msg\d+$/);
  });

  it('answers 404 to a user who is not a participant, for the page and for a reply', async () => {
    const carol = await fx.signedInUser('carol');
    expect((await carol.get(`/messages/${conversationId}`)).status).toBe(404);
    const sneaky = await carol.postForm(`/messages/${conversationId}`, { text: 'let me in' });
    expect(sneaky.status).toBe(404);
    expect(fx.server.store.messages.messagesIn(conversationId)).toHaveLength(2);
    expect((await carol.get('/messages')).document.querySelectorAll('li.conversation')).toHaveLength(0);
  });

  it('reuses the conversation of the same two users whoever writes first', async () => {
    await fx.addUser('carol');
    const back = await fx.seed('/messages', { from: 'alice', to: 'bob', text: 'hello bob' });
    const other = await fx.seed('/messages', { from: 'bob', to: 'carol', text: 'hello carol' });
    expect(back).toMatchObject({ conversationId, from: 'alice', to: 'bob', text: 'hello bob' });
    expect(other.conversationId).not.toBe(conversationId);
  });

  it('refuses an empty message with an alert and sends nothing', async () => {
    const res = await alice.postForm(`/messages/${conversationId}`, { text: '' });
    expect(res.status).toBe(400);
    expect(res.document.querySelector('.error[role="alert"]')?.text).toContain('must not be empty');
    expect(fx.server.store.messages.messagesIn(conversationId)).toHaveLength(2);
  });
});
