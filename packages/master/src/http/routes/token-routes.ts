import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import { FleetError, TokenRoleSchema, parseOrThrow } from '@fleetwright/shared';
import type { TokenStore } from '../../store/token-store.js';

const CreateTokenBodySchema = z.strictObject({
  name: z.string().min(1).max(128),
  role: TokenRoleSchema,
});

const adminOnly: RequestHandler = (_req, res, next) => {
  next(res.locals.role === 'admin' ? undefined : new FleetError('FORBIDDEN', 'only an admin token manages tokens'));
};

/** API tokens: shown once at creation, stored hashed, revocable. Admins only. */
export function tokenRoutes(tokens: TokenStore): Router {
  const router = Router();
  router.use('/tokens', adminOnly);
  router.post('/tokens', (req, res) => {
    const body = parseOrThrow(CreateTokenBodySchema, req.body);
    const { id, token } = tokens.create(body.name, body.role);
    res.status(201).json({ id, name: body.name, role: body.role, token });
  });
  router.get('/tokens', (_req, res) => {
    res.json({ items: tokens.list(), nextCursor: null });
  });
  router.delete('/tokens/:id', (req, res) => {
    tokens.revoke(req.params.id);
    res.status(204).end();
  });
  return router;
}
