import express, { type Router } from 'express';
import { html, layout } from '../html.js';
import type { SandboxStore, SandboxUser } from '../store/sandbox-store.js';
import { replyForm, replyList } from '../views/comment-thread.js';
import { requireUser } from './session.js';

export function contentRoutes(store: SandboxStore): Router {
  const router = express.Router();
  const handleOf = (id: string): string => store.users.get(id)?.handle ?? 'unknown';

  router.get('/', (_req, res) => res.redirect('/home'));

  router.get('/home', requireUser(store), (_req, res) => {
    const user = res.locals.user as SandboxUser;
    const posts = [...store.posts.values()].filter((p) => p.authorId === user.id);
    res.type('html').send(
      layout(
        'Home',
        html`<h1>Welcome, @${user.handle}</h1>
<h2>My posts</h2>
<ul id="my-posts">${posts.map((p) => html`<li class="post" data-post-id="${p.id}"><a href="/posts/${p.id}">${p.text}</a></li>`)}</ul>`,
        user.handle,
      ),
    );
  });

  router.get('/comments', requireUser(store), (_req, res) => {
    const user = res.locals.user as SandboxUser;
    const comments = store.commentsOnPostsOf(user.id);
    res.type('html').send(
      layout(
        'Comments on my posts',
        html`<h1>Comments on my posts</h1>
<p id="comment-count">${comments.length} comments</p>
<ul id="comments">${comments.map(
          (c) => html`<li class="comment" data-comment-id="${c.id}" data-post-id="${c.postId}">
  <span class="author">@${handleOf(c.authorId)}</span>
  <time datetime="${c.createdAt}">${c.createdAt}</time>
  <p class="text">${c.text}</p>
  ${replyList(store, c)}
</li>`,
        )}</ul>`,
        user.handle,
      ),
    );
  });

  router.get('/posts/:id', requireUser(store), (req, res) => {
    const user = res.locals.user as SandboxUser;
    const post = store.posts.get(String(req.params.id));
    if (!post) {
      res
        .status(404)
        .type('html')
        .send(layout('Not found', html`<h1>No such post</h1>`, user.handle));
      return;
    }
    const comments = store.topLevelCommentsOn(post.id);
    res.type('html').send(
      layout(
        'Post',
        html`<article class="post" data-post-id="${post.id}"><p>${post.text}</p><p>by @${handleOf(post.authorId)}</p></article>
<ul id="comments">${comments.map(
          (c) => html`<li class="comment" data-comment-id="${c.id}"><span class="author">@${handleOf(c.authorId)}</span> <p class="text">${c.text}</p>
  ${replyList(store, c)}
  ${replyForm(c)}
</li>`,
        )}</ul>`,
        user.handle,
      ),
    );
  });
  return router;
}
