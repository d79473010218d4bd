import type { RequestHandler } from 'express';
import { FleetError } from '@fleetwright/shared';
import type { Role, TokenStore } from '../store/token-store.js';

declare module 'express-serve-static-core' {
  interface Locals {
    role?: Role;
    tokenId?: string;
  }
}

/** `Authorization: Bearer <token>`; viewers may read but not change. */
export function requireToken(tokens: TokenStore): RequestHandler {
  return (req, res, next) => {
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const identity = tokens.verify(match?.[1]);
    if (!identity) {
      next(new FleetError('UNAUTHORIZED', 'missing or unknown API token (send Authorization: Bearer <token>)'));
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
