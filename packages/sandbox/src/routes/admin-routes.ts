import express, { type Request, type Response, type NextFunction, type Router } from 'express';
import { z } from 'zod';
import type { SandboxStore } from '../store/sandbox-store.js';
import { badRequest, notFound, parseJson, sendAdminError } from './admin/admin-json.js';
import { messageAdminRoutes } from './admin/message-admin-routes.js';
import { qrAdminRoutes } from './admin/qr-admin-routes.js';
import { replyLimitAdminRoutes } from './admin/reply-limit-admin-routes.js';
import { teamAdminRoutes } from './admin/team-admin-routes.js';

const UserBody = z.strictObject({
  handle: z.string().regex(/^[a-z0-9_]{2,32}$/, 'must be 2-32 lowercase letters, digits or _'),
  email: z.email(),
  password: z.string().min(6).max(256),
  /** Sign-in then also asks for a one-time code that only `/phone/<handle>` shows. */
  secondFactor: z.boolean().optional(),
});
const PostBody = z.strictObject({ author: z.string().min(1), text: z.string().min(1).max(5000) });
const CommentBody = z.strictObject({
  postId: z.string().min(1),
  author: z.string().min(1),
  text: z.string().min(1).max(5000),
  /** Makes the comment a reply; it must be on `postId`. */
  parentId: z.string().min(1).optional(),
});

/** JSON endpoints that seed the site for tests and the demo; guarded by the admin token when one is set. */
export function adminRoutes(store: SandboxStore, adminToken: string | undefined): Router {
  const router = express.Router();
  router.use(express.json({ limit: '1mb' }));
  router.use((req: Request, res: Response, next: NextFunction) => {
    if (adminToken && req.get('x-admin-token') !== adminToken) {
      sendAdminError(res, 'UNAUTHORIZED', 'x-admin-token header missing or wrong');
      return;
    }
    next();
  });

  router.post('/users', (req, res) => {
    const body = parseJson(UserBody, req, res);
    if (!body) return;
    if (store.findUserByLogin(body.handle) || store.findUserByLogin(body.email)) {
      sendAdminError(res, 'CONFLICT', `user ${body.handle} or ${body.email} exists`, 'handle');
      return;
    }
    const user = store.addUser(body);
    if (body.secondFactor) store.secondFactors.enable(user.id);
    res.status(201).json({ id: user.id, handle: user.handle, email: user.email, secondFactor: body.secondFactor === true });
  });

  router.post('/posts', (req, res) => {
    const body = parseJson(PostBody, req, res);
    if (!body) return;
    const author = store.findUserByLogin(body.author);
    if (!author) return badRequest(res, 'author', `no user ${body.author}`);
    const post = store.addPost(author.id, body.text);
    res.status(201).json(post);
  });

  router.post('/comments', (req, res) => {
    const body = parseJson(CommentBody, req, res);
    if (!body) return;
    const author = store.findUserByLogin(body.author);
    if (!author) return badRequest(res, 'author', `no user ${body.author}`);
    if (!store.posts.has(body.postId)) return badRequest(res, 'postId', `no post ${body.postId}`);
    if (body.parentId === undefined) {
      res.status(201).json(store.addComment(body.postId, author.id, body.text));
      return;
    }
    const parent = store.comments.get(body.parentId);
    if (!parent) return notFound(res, 'parentId', `parentId: no comment ${body.parentId}`);
    if (parent.postId !== body.postId) return badRequest(res, 'parentId', `comment ${body.parentId} is on post ${parent.postId}, not ${body.postId}`);
    res.status(201).json(store.addReply(parent.id, author.id, body.text));
  });

  router.get('/sessions', (_req, res) => {
    res.json({ items: [...store.sessions.values()].map((s) => ({ userId: s.userId, userAgent: s.userAgent, createdAt: s.createdAt })) });
  });

  // Signs everyone out, as a site that expires its sessions would: the next visit must log in again.
  router.delete('/sessions', (_req, res) => {
    const ended = store.sessions.size;
    store.sessions.clear();
    res.json({ ended });
  });

  router.use(qrAdminRoutes(store));
  router.use(messageAdminRoutes(store));
  router.use(teamAdminRoutes(store));
  router.use(replyLimitAdminRoutes(store));

  // A body that is not JSON at all fails before any schema runs; answer in the same shape.
  router.use((error: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (isJsonSyntaxError(error)) {
      badRequest(res, 'body', 'is not valid JSON');
      return;
    }
    next(error);
  });
  return router;
}

function isJsonSyntaxError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'type' in error && error.type === 'entity.parse.failed';
}
