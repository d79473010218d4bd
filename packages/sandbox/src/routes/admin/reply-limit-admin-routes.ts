import express, { type Router } from 'express';
import { z } from 'zod';
import type { SandboxStore } from '../../store/sandbox-store.js';
import { parseJson, userOr404 } from './admin-json.js';

/** The longest window a reply limit counts over (a week). */
const MAX_WINDOW_MS = 7 * 86_400_000;

const ReplyLimitBody = z.strictObject({
  /** Handle or email of the account to limit. */
  user: z.string().min(1),
  max: z.int().min(1).max(1_000_000),
  windowMs: z.int().min(1).max(MAX_WINDOW_MS),
});

/**
 * Per-account reply limits: over its limit, an account's next reply (under a comment or in a DM)
 * is answered 429 with `Retry-After`. Off for every account until set here.
 */
export function replyLimitAdminRoutes(store: SandboxStore): Router {
  const router = express.Router();
  const view = (userId: string) => ({ user: store.users.get(userId)?.handle ?? userId, ...store.replyPacing.limitOf(userId) });

  router.get('/reply-limits', (_req, res) => {
    res.json({ items: store.replyPacing.limitedUsers().map(view) });
  });

  // Sets or replaces the account's limit; it counts the replies already accepted in its window.
  router.post('/reply-limits', (req, res) => {
    const body = parseJson(ReplyLimitBody, req, res);
    if (!body) return;
    const user = userOr404(store, res, body.user, 'user');
    if (!user) return;
    store.replyPacing.setLimit(user.id, { max: body.max, windowMs: body.windowMs });
    res.json(view(user.id));
  });

  router.delete('/reply-limits/:user', (req, res) => {
    const user = userOr404(store, res, String(req.params.user), 'user');
    if (!user) return;
    res.json({ user: user.handle, removed: store.replyPacing.removeLimit(user.id) });
  });
  return router;
}
