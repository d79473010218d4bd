import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';

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
  private seq = 0;

  private nextId(prefix: string): string {
    this.seq += 1;
    return `${prefix}${this.seq}`;
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

  /** Comments others (and I) left on my posts, oldest first. */
  commentsOnPostsOf(userId: string): SandboxComment[] {
    return [...this.comments.values()].filter((c) => this.posts.get(c.postId)?.authorId === userId);
  }
}
