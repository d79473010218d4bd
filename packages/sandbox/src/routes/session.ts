import type { Request, Response, NextFunction } from 'express';
import type { SandboxStore, SandboxUser } from '../store/sandbox-store.js';

export const SESSION_COOKIE = 'sandbox_sid';

export function readCookie(req: Request, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

export function currentUser(store: SandboxStore, req: Request): SandboxUser | undefined {
  const sid = readCookie(req, SESSION_COOKIE);
  const session = sid ? store.sessions.get(sid) : undefined;
  return session ? store.users.get(session.userId) : undefined;
}

/** Pages for signed-in people: others go to the login page and come back after. */
export function requireUser(store: SandboxStore) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const user = currentUser(store, req);
    if (!user) {
      res.redirect(`/login?next=${encodeURIComponent(req.originalUrl)}`);
      return;
    }
    res.locals.user = user;
    next();
  };
}
