import type { RequestHandler } from 'express';
import { FleetError } from '@fleetwright/shared';
import type { Role, TokenStore } from '../store/token-store.js';

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

export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

/** `Authorization: Bearer <token>` or the dashboard's session cookie; viewers may read but not change. */
export function requireToken(tokens: TokenStore): RequestHandler {
  return (req, res, next) => {
    const header = req.get('authorization') ?? '';
    const bearer = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    const cookie = bearer ? undefined : readCookie(req.get('cookie'), SESSION_COOKIE);
    const identity = tokens.verify(bearer ?? cookie);
    if (!identity) {
      next(new FleetError('UNAUTHORIZED', 'missing or unknown API token (send Authorization: Bearer <token>)'));
      return;
    }
    if (cookie && !['GET', 'HEAD'].includes(req.method) && req.get(DASHBOARD_HEADER) !== '1') {
      next(new FleetError('FORBIDDEN', `a cookie-authenticated change needs the ${DASHBOARD_HEADER} header`));
      return;
    }
    if (identity.role === 'viewer' && !['GET', 'HEAD'].includes(req.method)) {
      next(new FleetError('FORBIDDEN', 'a viewer token cannot change anything'));
      return;
    }
    res.locals.role = identity.role;
    res.locals.tokenId = identity.tokenId;
    next();
  };
}
