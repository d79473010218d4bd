import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import { IdSequence } from './id-sequence.js';
import { MessageStore } from './message-store.js';
import { QrLoginStore } from './qr-login-store.js';
import { ReplyPacing } from './reply-pacing.js';
import { SecondFactorStore } from './second-factor-store.js';
import { TeamStore } from './team-store.js';

export interface SandboxUser {
  id: string;
  handle: string;
  email: string;
  passwordHash: string;
}
export interface SandboxSession {
  id: string;
  userId: string;
  userAgent: string;
  createdAt: string;
}
export interface SandboxPost {
  id: string;
  authorId: string;
  text: string;
  createdAt: string;
}
export interface SandboxComment {
  id: string;
  postId: string;
  authorId: string;
  text: string;
  createdAt: string;
  /** Set on a reply: the top-level comment it answers, on the same post. Absent on top-level comments. */
  parentId?: string;
}

function hashPassword(password: string, salt = randomBytes(8).toString('hex')): string {
  return `${salt}:${scryptSync(password, salt, 32).toString('hex')}`;
}

function passwordMatches(password: string, stored: string): boolean {
  const [salt, hash] = stored.split(':');
  if (!salt || !hash) return false;
  const candidate = scryptSync(password, salt, 32);
  return timingSafeEqual(candidate, Buffer.from(hash, 'hex'));
}

/** The sandbox platform's data, in memory: a fresh site per server. */
export class SandboxStore {
  readonly users = new Map<string, SandboxUser>();
  readonly sessions = new Map<string, SandboxSession>();
  readonly posts = new Map<string, SandboxPost>();
  readonly comments = new Map<string, SandboxComment>();
  readonly qrLogins = new QrLoginStore();
  readonly messages = new MessageStore();
  readonly secondFactors = new SecondFactorStore();
  readonly teams = new TeamStore((userId) => this.users.get(userId)?.email);
  /** Per-account reply limits (off until set) and the log of accepted replies. */
  readonly replyPacing = new ReplyPacing();
  /** Users, posts and comments share one sequence (`u1`, `p3`, `c5`): seeded ids that tests rely on. */
  private readonly ids = new IdSequence();

  private nextId(prefix: string): string {
    return this.ids.next(prefix);
  }

  addUser(input: { handle: string; email: string; password: string }): SandboxUser {
    if (this.findUserByLogin(input.handle) || this.findUserByLogin(input.email)) throw new Error(`user ${input.handle} exists`);
    const user: SandboxUser = { id: this.nextId('u'), handle: input.handle, email: input.email, passwordHash: hashPassword(input.password) };
    this.users.set(user.id, user);
    return user;
  }

  /** Users sign in with their handle or their email. */
  findUserByLogin(login: string): SandboxUser | undefined {
    const needle = login.trim().toLowerCase();
    for (const user of this.users.values()) if (user.handle.toLowerCase() === needle || user.email.toLowerCase() === needle) return user;
    return undefined;
  }

  verifyPassword(login: string, password: string): SandboxUser | undefined {
    const user = this.findUserByLogin(login);
    return user && passwordMatches(password, user.passwordHash) ? user : undefined;
  }

  createSession(userId: string, userAgent: string): SandboxSession {
    const session: SandboxSession = { id: randomBytes(24).toString('base64url'), userId, userAgent, createdAt: new Date().toISOString() };
    this.sessions.set(session.id, session);
    return session;
  }

  addPost(authorId: string, text: string): SandboxPost {
    const post: SandboxPost = { id: this.nextId('p'), authorId, text, createdAt: new Date().toISOString() };
    this.posts.set(post.id, post);
    return post;
  }

  addComment(postId: string, authorId: string, text: string): SandboxComment {
    const comment: SandboxComment = { id: this.nextId('c'), postId, authorId, text, createdAt: new Date().toISOString() };
    this.comments.set(comment.id, comment);
    return comment;
  }

  /**
   * Replies are one level deep, as on most social sites: answering a reply joins the thread of the
   * top-level comment it belongs to. Undefined when the comment does not exist.
   */
  addReply(commentId: string, authorId: string, text: string): SandboxComment | undefined {
    const target = this.comments.get(commentId);
    const root = target?.parentId === undefined ? target : this.comments.get(target.parentId);
    if (!root) return undefined;
    const reply: SandboxComment = { id: this.nextId('c'), postId: root.postId, authorId, text, createdAt: new Date().toISOString(), parentId: root.id };
    this.comments.set(reply.id, reply);
    return reply;
  }

  /** Top-level comments on a post, oldest first. */
  topLevelCommentsOn(postId: string): SandboxComment[] {
    return [...this.comments.values()].filter((c) => c.postId === postId && c.parentId === undefined);
  }

  /** Replies to a top-level comment, oldest first. */
  repliesTo(commentId: string): SandboxComment[] {
    return [...this.comments.values()].filter((c) => c.parentId === commentId);
  }

  /** Top-level comments others (and I) left on my posts, oldest first; their replies hang under them. */
  commentsOnPostsOf(userId: string): SandboxComment[] {
    return [...this.comments.values()].filter((c) => c.parentId === undefined && this.posts.get(c.postId)?.authorId === userId);
  }
}
