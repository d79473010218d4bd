import { parseHtml, type HtmlElement } from './html-document.js';

export const SESSION_COOKIE = 'sandbox_sid';
export const TEST_USER_AGENT = 'sandbox-test/1.0 (fetch)';

export interface PageResponse {
  status: number;
  /** The `Location` header of a redirect, as sent (redirects are never followed). */
  location: string | null;
  headers: Headers;
  body: string;
  document: HtmlElement;
}

/**
 * One "browser" for the sandbox: plain fetch with a cookie jar of its own and redirects left
 * for the test to look at, so each step of a flow can be asserted.
 */
export class SandboxClient {
  private readonly cookies = new Map<string, string>();

  constructor(readonly baseUrl: string) {}

  get sessionId(): string | undefined {
    return this.cookies.get(SESSION_COOKIE);
  }

  get(path: string): Promise<PageResponse> {
    return this.request('GET', path);
  }

  postForm(path: string, fields: Record<string, string> = {}): Promise<PageResponse> {
    return this.request('POST', path, new URLSearchParams(fields));
  }

  /** Signs in through the real login form; throws unless the site redirects as it does on success. */
  async login(username: string, password: string): Promise<this> {
    const res = await this.postForm('/login', { username, password, next: '/home' });
    if (res.status !== 303 || !this.sessionId) throw new Error(`login as ${username} failed with ${res.status}`);
    return this;
  }

  async getJson(path: string): Promise<{ status: number; body: any }> {
    const res = await fetch(new URL(path, this.baseUrl), { headers: this.headers(), signal: AbortSignal.timeout(10_000) });
    return { status: res.status, body: await res.json() };
  }

  private async request(method: string, path: string, body?: URLSearchParams): Promise<PageResponse> {
    const res = await fetch(new URL(path, this.baseUrl), { method, body, headers: this.headers(), redirect: 'manual', signal: AbortSignal.timeout(10_000) });
    this.remember(res.headers.getSetCookie());
    const text = await res.text();
    return { status: res.status, location: res.headers.get('location'), headers: res.headers, body: text, document: parseHtml(text) };
  }

  private headers(): Record<string, string> {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    return { 'user-agent': TEST_USER_AGENT, ...(cookie ? { cookie } : {}) };
  }

  private remember(setCookies: string[]): void {
    for (const header of setCookies) {
      const [pair = '', ...attributes] = header.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some((a) => /^\s*expires=/i.test(a) && Date.parse(a.split('=')[1] ?? '') <= Date.now());
      if (!value || expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
}
