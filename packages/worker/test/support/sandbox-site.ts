import type { Page } from 'playwright-core';
import { SandboxServer } from '@fleetwright/sandbox';

export interface SeededUser {
  id: string;
  handle: string;
  email: string;
  password: string;
}

/** A real sandbox server on a free loopback port, seeded through its admin JSON endpoints. */
export class SandboxSite {
  readonly server = new SandboxServer();

  async start(): Promise<this> {
    await this.server.start();
    return this;
  }

  get url(): string {
    return this.server.url;
  }

  async addUser(handle: string, password = `${handle}-secret-1`): Promise<SeededUser> {
    const created = await this.admin<{ id: string; handle: string; email: string }>('/users', { handle, email: `${handle}@sandbox.test`, password });
    return { ...created, password };
  }

  addPost(author: string, text: string): Promise<{ id: string; authorId: string; text: string; createdAt: string }> {
    return this.admin('/posts', { author, text });
  }

  addComment(postId: string, author: string, text: string): Promise<{ id: string; postId: string; authorId: string; text: string; createdAt: string }> {
    return this.admin('/comments', { postId, author, text });
  }

  async fenceReport(): Promise<{ requestsWithFence: number; violations: unknown[] }> {
    const res = await fetch(`${this.url}/oracle/fence-violations`, { signal: AbortSignal.timeout(5000) });
    return (await res.json()) as { requestsWithFence: number; violations: unknown[] };
  }

  /** Signs in through the real login form, the way a person would. */
  async signIn(page: Page, user: { handle: string; password: string }): Promise<void> {
    await page.goto(`${this.url}/login`);
    await page.fill('#login-form input[name="username"]', user.handle);
    await page.fill('#login-form input[name="password"]', user.password);
    await Promise.all([page.waitForURL(`${this.url}/home`, { timeout: 10_000 }), page.click('#login-submit')]);
  }

  /** The handle the site shows as signed in on /home, or null when it sent us to the login page. */
  async signedInAs(page: Page): Promise<string | null> {
    await page.goto(`${this.url}/home`);
    const whoami = page.locator('[data-testid="whoami"]');
    return (await whoami.count()) ? (await whoami.innerText()).replace(/^@/, '') : null;
  }

  close(): Promise<void> {
    return this.server.close();
  }

  private async admin<T>(path: string, body: unknown): Promise<T> {
    const res = await fetch(`${this.url}/admin${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(5000),
    });
    if (!res.ok) throw new Error(`sandbox admin ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  }
}
