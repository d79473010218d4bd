import type { Request, RequestHandler, Response } from 'express';
import { FleetError } from '@fleetwright/shared';
import type { Role } from '../store/backend/records.js';
import type { TokensBackend } from '../store/backend/tokens-backend.js';

declare module 'express-serve-static-core' {
  interface Locals {
    role?: Role;
    tokenId?: string;
  }
}

/** The dashboard's sign-in cookie: httpOnly, so page scripts never see the token. */
export const SESSION_COOKIE = 'fleet_session';
/** Cookie-authenticated writes must carry this header: a cross-site form cannot set it (CSRF). */
export const DASHBOARD_HEADER = 'x-fleet-dashboard';

/**
 * The cookie's value, or undefined. Total: it runs before any auth (the Socket.IO handshake, the
 * REST token check), so a value that is not valid percent-encoding is no cookie, never a throw.
 */
export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k !== name) continue;
    try {
      return decodeURIComponent(v.join('='));
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** `Authorization: Bearer <token>` or the dashboard's session cookie; viewers may read but not change. */
export function requireToken(tokens: TokensBackend): RequestHandler {
  return (req, res, next) => {
    // Total: whatever the request holds, it is refused with an answer, never thrown past.
    checkToken(tokens, req, res).then(() => next(), next);
  };
}

async function checkToken(tokens: TokensBackend, req: Request, res: Response): Promise<void> {
  const header = req.get('authorization') ?? '';
  const bearer = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
  const cookie = bearer ? undefined : readCookie(req.get('cookie'), SESSION_COOKIE);
  const identity = await tokens.verify(bearer ?? cookie);
  if (!identity) throw new FleetError('UNAUTHORIZED', 'missing or unknown API token (send Authorization: Bearer <token>)');
  if (cookie && !['GET', 'HEAD'].includes(req.method) && req.get(DASHBOARD_HEADER) !== '1')
    throw new FleetError('FORBIDDEN', `a cookie-authenticated change needs the ${DASHBOARD_HEADER} header`);
  if (identity.role === 'viewer' && !['GET', 'HEAD'].includes(req.method)) throw new FleetError('FORBIDDEN', 'a viewer token cannot change anything');
  res.locals.role = identity.role;
  res.locals.tokenId = identity.tokenId;
}
