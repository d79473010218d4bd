import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import { FleetError, TokenRoleSchema, parseOrThrow } from '@fleetwright/shared';
import type { TokensBackend } from '../../store/backend/tokens-backend.js';

const CreateTokenBodySchema = z.strictObject({
  name: z.string().min(1).max(128),
  role: TokenRoleSchema,
});

const adminOnly: RequestHandler = (_req, res, next) => {
  next(res.locals.role === 'admin' ? undefined : new FleetError('FORBIDDEN', 'only an admin token manages tokens'));
};

/** API tokens: shown once at creation, stored hashed, revocable. Admins only. */
export function tokenRoutes(tokens: TokensBackend): Router {
  const router = Router();
  router.use('/tokens', adminOnly);
  router.post('/tokens', async (req, res) => {
    const body = parseOrThrow(CreateTokenBodySchema, req.body);
    const { id, token } = await tokens.create(body.name, body.role);
    res.status(201).json({ id, name: body.name, role: body.role, token });
  });
  router.get('/tokens', async (_req, res) => {
    res.json({ items: await tokens.list(), nextCursor: null });
  });
  router.delete('/tokens/:id', async (req, res) => {
    await tokens.revoke(req.params.id);
    res.status(204).end();
  });
  return router;
}
