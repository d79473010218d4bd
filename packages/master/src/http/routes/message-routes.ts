import { Router } from 'express';
import { z } from 'zod';
import { IdSchema, PageQuerySchema, parseOrThrow } from '@fleetwright/shared';
import type { MessagesBackend } from '../../store/backend/messages-backend.js';

const MessageQuerySchema = z.object({ accountId: IdSchema.optional(), kind: z.enum(['comment', 'dm']).optional() });

export function messageRoutes(messages: MessagesBackend): Router {
  const router = Router();
  router.get('/messages', async (req, res) => {
    const page = parseOrThrow(PageQuerySchema, req.query);
    const filter = parseOrThrow(MessageQuerySchema, { accountId: req.query.accountId, kind: req.query.kind });
    res.json(await messages.list(filter, page.limit, page.cursor));
  });
  return router;
}
