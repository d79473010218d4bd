import type { Request, Response } from 'express';
import type { SandboxStore } from '../store/sandbox-store.js';
import { busiestWindow } from '../store/reply-pacing.js';

/**
 * The judge of a fleet's pacing: per account, the times (epoch ms, oldest first) of the replies the
 * site accepted and how many it refused with 429; with `?windowMs=`, also the most accepted in
 * any window of that length. `?user=` narrows it to one account (handle or email).
 */
export function acceptedReplies(store: SandboxStore) {
  return (req: Request, res: Response): void => {
    const windowMs = req.query.windowMs === undefined ? undefined : Number(req.query.windowMs);
    if (windowMs !== undefined && !(Number.isInteger(windowMs) && windowMs > 0)) {
      res.status(400).json({ code: 'VALIDATION_FAILED', message: 'windowMs: must be a positive integer', field: 'windowMs' });
      return;
    }
    const only = typeof req.query.user === 'string' ? store.findUserByLogin(req.query.user) : undefined;
    if (typeof req.query.user === 'string' && !only) {
      res.status(404).json({ code: 'NOT_FOUND', message: `user: no user ${req.query.user}`, field: 'user' });
      return;
    }
    const userIds = only ? [only.id] : store.replyPacing.activeUsers();
    const items = userIds.map((userId) => {
      const acceptedAt = store.replyPacing.acceptedTimes(userId);
      return {
        user: store.users.get(userId)?.handle ?? userId,
        acceptedAt,
        refused: store.replyPacing.refusedCount(userId),
        ...(windowMs === undefined ? {} : { busiestWindow: busiestWindow(acceptedAt, windowMs) }),
      };
    });
    res.json({ items });
  };
}
