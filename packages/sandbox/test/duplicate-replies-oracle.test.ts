import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SandboxClient } from './support/sandbox-client.js';
import { SandboxFixture } from './support/sandbox-fixture.js';

describe('duplicate-replies oracle', () => {
  let fx: SandboxFixture;
  let alice: SandboxClient;
  let commentId: string;

  async function duplicates(): Promise<unknown[]> {
    const res = await fx.anonymous().getJson('/oracle/duplicate-replies');
    expect(res.status).toBe(200);
    return res.body.duplicates;
  }

  beforeEach(async () => {
    fx = await SandboxFixture.start();
    alice = await fx.signedInUser('alice');
    await fx.addUser('bob');
    const post = await fx.seed('/posts', { author: 'alice', text: 'a post' });
    commentId = (await fx.seed('/comments', { postId: post.id, author: 'bob', text: 'a comment' })).id;
  });
  afterEach(async () => {
    await fx?.close();
  });

  it('reports a reply posted twice by the same author to the same comment', async () => {
    await alice.postForm(`/comments/${commentId}/replies`, { text: 'thanks!' });
    await alice.postForm(`/comments/${commentId}/replies`, { text: 'thanks!' });
    const ids = fx.server.store.repliesTo(commentId).map((r) => r.id);
    expect(await duplicates()).toEqual([{ kind: 'reply', author: 'alice', parentId: commentId, text: 'thanks!', count: 2, ids }]);
  });

  it('reports a DM sent twice by the same author to the same conversation', async () => {
    const first = await fx.seed('/messages', { from: 'bob', to: 'alice', text: 'ping' });
    await fx.seed('/messages', { from: 'bob', to: 'alice', text: 'pong' });
    const third = await fx.seed('/messages', { from: 'bob', to: 'alice', text: 'ping' });
    expect(await duplicates()).toEqual([{ kind: 'message', author: 'bob', parentId: first.conversationId, text: 'ping', count: 2, ids: [first.id, third.id] }]);
  });

  it('reports nothing for distinct texts, other authors or other parents', async () => {
    const post = await fx.seed('/posts', { author: 'alice', text: 'another post' });
    const otherComment = (await fx.seed('/comments', { postId: post.id, author: 'bob', text: 'another comment' })).id;
    await alice.postForm(`/comments/${commentId}/replies`, { text: 'thanks!' });
    await alice.postForm(`/comments/${commentId}/replies`, { text: 'thanks again!' });
    await alice.postForm(`/comments/${otherComment}/replies`, { text: 'thanks!' });
    await fx.seed('/comments', { postId: fx.server.store.comments.get(commentId)?.postId, parentId: commentId, author: 'bob', text: 'thanks!' });
    await fx.seed('/messages', { from: 'bob', to: 'alice', text: 'same words' });
    await fx.seed('/messages', { from: 'alice', to: 'bob', text: 'same words' });
    // Top-level comments with the same text are not replies, so they are not judged here.
    await fx.seed('/comments', { postId: post.id, author: 'bob', text: 'another comment' });
    expect(await duplicates()).toEqual([]);
  });
});
