import express, { Router } from 'express';
import { z } from 'zod';
import { FleetError, parseOrThrow } from '@fleetwright/shared';
import type { TokensBackend } from '../../store/backend/tokens-backend.js';
import { SESSION_COOKIE } from '../auth.js';

const SignInBodySchema = z.strictObject({ token: z.string().min(1).max(512) });

/** Dashboard sign-in: a token in, an httpOnly cookie out. Mounted before the token check. */
export function sessionRoutes(tokens: TokensBackend): Router {
  const router = Router();
  router.post('/session', express.json({ limit: '16kb' }), async (req, res) => {
    const { token } = parseOrThrow(SignInBodySchema, req.body);
    const identity = await tokens.verify(token);
    if (!identity) throw new FleetError('UNAUTHORIZED', 'unknown API token', { field: 'token' });
    res.cookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'strict', secure: req.secure, path: '/' });
    res.json({ role: identity.role });
  });
  router.delete('/session', (_req, res) => {
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.status(204).end();
  });
  return router;
}
