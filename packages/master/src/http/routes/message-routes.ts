import { Router } from 'express';
import { z } from 'zod';
import { IdSchema, PageQuerySchema, parseOrThrow } from '@fleetwright/shared';
import type { MessageStore } from '../../store/message-store.js';

const MessageQuerySchema = z.object({ accountId: IdSchema.optional(), kind: z.enum(['comment', 'dm']).optional() });

export function messageRoutes(messages: MessageStore): Router {
  const router = Router();
  router.get('/messages', (req, res) => {
    const page = parseOrThrow(PageQuerySchema, req.query);
    const filter = parseOrThrow(MessageQuerySchema, { accountId: req.query.accountId, kind: req.query.kind });
    res.json(messages.list(filter, page.limit, page.cursor));
  });
  return router;
}
