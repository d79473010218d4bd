import express, { type Router } from 'express';
import { z } from 'zod';
import type { SandboxStore } from '../../store/sandbox-store.js';
import { PostedText } from '../validation.js';
import { badRequest, parseJson, userOr404 } from './admin-json.js';

const MessageBody = z.strictObject({
  /** Handle or email of the sender. */
  from: z.string().min(1),
  /** Handle or email of the recipient. */
  to: z.string().min(1),
  text: PostedText(),
});

/** Seeds direct messages: the pair's conversation is created on the first one. */
export function messageAdminRoutes(store: SandboxStore): Router {
  const router = express.Router();
  router.post('/messages', (req, res) => {
    const body = parseJson(MessageBody, req, res);
    if (!body) return;
    const from = userOr404(store, res, body.from, 'from');
    if (!from) return;
    const to = userOr404(store, res, body.to, 'to');
    if (!to) return;
    if (from.id === to.id) return badRequest(res, 'to', 'cannot message yourself');
    const conversation = store.messages.openConversation(from.id, to.id);
    const message = store.messages.addMessage(conversation.id, from.id, body.text);
    res
      .status(201)
      .json({ id: message.id, conversationId: conversation.id, from: from.handle, to: to.handle, text: message.text, createdAt: message.createdAt });
  });
  return router;
}
