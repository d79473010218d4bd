import express, { type Request, type Response, type NextFunction, type Router } from 'express';
import { z } from 'zod';
import type { SandboxStore } from '../store/sandbox-store.js';

const UserBody = z.strictObject({
  handle: z.string().regex(/^[a-z0-9_]{2,32}$/, 'must be 2-32 lowercase letters, digits or _'),
  email: z.email(),
  password: z.string().min(6).max(256),
});
const PostBody = z.strictObject({ author: z.string().min(1), text: z.string().min(1).max(5000) });
const CommentBody = z.strictObject({ postId: z.string().min(1), author: z.string().min(1), text: z.string().min(1).max(5000) });

function badRequest(res: Response, field: string | undefined, message: string): void {
  res.status(400).json({ code: 'VALIDATION_FAILED', message: field ? `${field}: ${message}` : message, field });
}

function parse<T>(schema: z.ZodType<T>, req: Request, res: Response): T | undefined {
  const parsed = schema.safeParse(req.body ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  badRequest(res, issue?.path.map(String).join('.') || undefined, issue?.message ?? 'invalid body');
  return undefined;
}

/** JSON endpoints that seed the site for tests and the demo; guarded by the admin token when one is set. */
export function adminRoutes(store: SandboxStore, adminToken: string | undefined): Router {
  const router = express.Router();
  router.use(express.json({ limit: '1mb' }));
  router.use((req: Request, res: Response, next: NextFunction) => {
    if (adminToken && req.get('x-admin-token') !== adminToken) {
      res.status(401).json({ code: 'UNAUTHORIZED', message: 'x-admin-token header missing or wrong' });
      return;
    }
    next();
  });

  router.post('/users', (req, res) => {
    const body = parse(UserBody, req, res);
    if (!body) return;
    if (store.findUserByLogin(body.handle) || store.findUserByLogin(body.email)) {
      res.status(409).json({ code: 'CONFLICT', message: `user ${body.handle} or ${body.email} exists`, field: 'handle' });
      return;
    }
    const user = store.addUser(body);
    res.status(201).json({ id: user.id, handle: user.handle, email: user.email });
  });

  router.post('/posts', (req, res) => {
    const body = parse(PostBody, req, res);
    if (!body) return;
    const author = store.findUserByLogin(body.author);
    if (!author) return badRequest(res, 'author', `no user ${body.author}`);
    const post = store.addPost(author.id, body.text);
    res.status(201).json(post);
  });

  router.post('/comments', (req, res) => {
    const body = parse(CommentBody, req, res);
    if (!body) return;
    const author = store.findUserByLogin(body.author);
    if (!author) return badRequest(res, 'author', `no user ${body.author}`);
    if (!store.posts.has(body.postId)) return badRequest(res, 'postId', `no post ${body.postId}`);
    const comment = store.addComment(body.postId, author.id, body.text);
    res.status(201).json(comment);
  });

  router.get('/sessions', (_req, res) => {
    res.json({ items: [...store.sessions.values()].map((s) => ({ userId: s.userId, userAgent: s.userAgent, createdAt: s.createdAt })) });
  });
  return router;
}
