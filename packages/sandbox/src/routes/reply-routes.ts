import express, { type Router } from 'express';
import { z } from 'zod';
import type { SandboxStore, SandboxUser } from '../store/sandbox-store.js';
import { errorPage } from '../views/error-page.js';
import { throttleReplies } from './reply-throttle.js';
import { requireUser } from './session.js';
import { formBody, parseForm, PostedText } from './validation.js';

const ReplyForm = z.object({ text: PostedText() });

/** Replies to comments, posted from the reply form under each comment on a post's page. */
export function replyRoutes(store: SandboxStore): Router {
  const router = express.Router();

  router.post('/comments/:id/replies', requireUser(store), formBody, throttleReplies(store), (req, res) => {
    const user = res.locals.user as SandboxUser;
    const commentId = String(req.params.id);
    if (!store.comments.has(commentId)) {
      res
        .status(404)
        .type('html')
        .send(errorPage('No such comment', `There is no comment ${commentId}.`, user.handle));
      return;
    }
    const form = parseForm(ReplyForm, req);
    if (!form.ok) {
      res
        .status(400)
        .type('html')
        .send(errorPage('Reply not posted', `Reply ${form.message}.`, user.handle));
      return;
    }
    const reply = store.addReply(commentId, user.id, form.data.text);
    if (!reply) throw new Error(`comment ${commentId} vanished while replying`);
    store.replyPacing.recordAccepted(user.id);
    // Post/redirect/get: reloading the post page must not post the reply again.
    res.redirect(303, `/posts/${encodeURIComponent(reply.postId)}`);
  });
  return router;
}
