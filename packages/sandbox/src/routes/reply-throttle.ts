import type { NextFunction, Request, Response } from 'express';
import type { SandboxStore, SandboxUser } from '../store/sandbox-store.js';
import { errorPage } from '../views/error-page.js';

/** The exact wait in milliseconds, beside HTTP's whole seconds, so tests can use short windows. */
export const RETRY_AFTER_MS_HEADER = 'Retry-After-Ms';

/**
 * Refuses a reply from an account over its reply limit, as platforms do: 429 with `Retry-After`
 * (whole seconds, rounded up so a client that obeys it is never early) and `Retry-After-Ms`.
 * Runs after `requireUser`.
 */
export function throttleReplies(store: SandboxStore) {
  return (_req: Request, res: Response, next: NextFunction): void => {
    const user = res.locals.user as SandboxUser;
    const waitMs = store.replyPacing.waitBeforeReply(user.id);
    if (waitMs === 0) {
      next();
      return;
    }
    const seconds = Math.ceil(waitMs / 1000);
    res
      .status(429)
      .set('Retry-After', String(seconds))
      .set(RETRY_AFTER_MS_HEADER, String(waitMs))
      .type('html')
      .send(errorPage('Too many replies', `You are replying too fast. Try again in ${seconds} s.`, user.handle));
  };
}
