import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SandboxClient } from './support/sandbox-client.js';
import { SandboxFixture } from './support/sandbox-fixture.js';

describe('comments with replies', () => {
  let fx: SandboxFixture;
  let alice: SandboxClient;
  let bob: SandboxClient;
  let postId: string;
  let commentId: string;

  beforeEach(async () => {
    fx = await SandboxFixture.start();
    alice = await fx.signedInUser('alice');
    bob = await fx.signedInUser('bob');
    postId = (await fx.seed('/posts', { author: 'alice', text: 'alice writes' })).id;
    commentId = (await fx.seed('/comments', { postId, author: 'bob', text: 'first!' })).id;
  });
  afterEach(async () => {
    await fx?.close();
  });

  it('posts a reply from the form under the comment and shows it there on /posts/:id, escaped', async () => {
    const page = await alice.get(`/posts/${postId}`);
    const form = page.document.querySelector(`li.comment[data-comment-id="${commentId}"] form.reply-form`);
    expect(form?.querySelector('textarea[name="text"]')).toBeDefined();
    expect(form?.querySelector('.reply-submit')).toBeDefined();

    const posted = await alice.postForm(form?.getAttribute('action') ?? '', { text: 'thanks <b>bob</b>' });
    expect(posted.status).toBe(303);
    expect(posted.location).toBe(`/posts/${postId}`);

    const after = await alice.get(`/posts/${postId}`);
    const replies = after.document.querySelectorAll(`li.comment[data-comment-id="${commentId}"] li.reply[data-parent-id="${commentId}"]`);
    expect(replies.map((r) => [r.querySelector('.author')?.text, r.querySelector('.text')?.text])).toEqual([['@alice', 'thanks <b>bob</b>']]);
    expect(replies[0]?.getAttribute('data-comment-id')).toMatch(/^c\d+$/);
    expect(after.body).toContain('thanks &lt;b&gt;bob&lt;/b&gt;');
    // A reply is not a top-level comment of its own.
    expect(after.document.querySelectorAll('li.comment')).toHaveLength(1);
  });

  it("keeps /comments to top-level comments and nests each one's replies inside it", async () => {
    await alice.postForm(`/comments/${commentId}/replies`, { text: 'glad you came' });
    await bob.postForm(`/comments/${commentId}/replies`, { text: 'of course' });

    const page = await alice.get('/comments');
    const comments = page.document.querySelectorAll('li.comment');
    expect(comments.map((c) => c.getAttribute('data-comment-id'))).toEqual([commentId]);
    expect(page.document.querySelector('#comment-count')?.text).toBe('1 comments');
    const comment = comments[0];
    // Readers that take the first .author/.text/time inside li.comment still get the comment's own.
    expect(comment?.querySelector('.text')?.text).toBe('first!');
    expect(comment?.querySelector('.author')?.text).toBe('@bob');
    const replies = comment?.querySelectorAll('ul.replies li.reply') ?? [];
    expect(replies.map((r) => [r.getAttribute('data-parent-id'), r.querySelector('.author')?.text, r.querySelector('.text')?.text])).toEqual([
      [commentId, '@alice', 'glad you came'],
      [commentId, '@bob', 'of course'],
    ]);
  });

  it('answers a reply within the same thread, one level deep', async () => {
    await bob.postForm(`/comments/${commentId}/replies`, { text: 'reply one' });
    const firstReply = (await alice.get(`/posts/${postId}`)).document.querySelector('li.reply');
    const replyId = firstReply?.getAttribute('data-comment-id') ?? '';

    const res = await alice.postForm(`/comments/${replyId}/replies`, { text: 'reply to the reply' });
    expect(res.location).toBe(`/posts/${postId}`);
    const replies = (await alice.get(`/posts/${postId}`)).document.querySelectorAll('li.reply');
    expect(replies.map((r) => r.getAttribute('data-parent-id'))).toEqual([commentId, commentId]);
  });

  it('answers 404 for a reply to an unknown comment and 400 for an empty reply, posting nothing', async () => {
    const unknown = await alice.postForm('/comments/c999/replies', { text: 'hello' });
    expect(unknown.status).toBe(404);
    const empty = await alice.postForm(`/comments/${commentId}/replies`, { text: '   ' });
    expect(empty.status).toBe(400);
    expect(empty.document.querySelector('.error[role="alert"]')?.text).toContain('must not be empty');
    expect((await alice.get(`/posts/${postId}`)).document.querySelectorAll('li.reply')).toHaveLength(0);
  });

  it('sends a signed-out reply to the login page', async () => {
    const res = await fx.anonymous().postForm(`/comments/${commentId}/replies`, { text: 'hi' });
    expect(res.status).toBe(302);
    expect(res.location).toMatch(/^\/login\?next=/);
    expect(fx.server.store.repliesTo(commentId)).toHaveLength(0);
  });
});
