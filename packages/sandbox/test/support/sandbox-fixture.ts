import { SandboxServer, type SandboxServerOptions } from '@fleetwright/sandbox';
import { SandboxClient } from './sandbox-client.js';

export const PASSWORD = 'correct-horse-1';

export interface AdminResponse {
  status: number;
  body: any;
}

/** A real SandboxServer on 127.0.0.1:0 plus helpers to seed it over its admin JSON. */
export class SandboxFixture {
  private constructor(readonly server: SandboxServer) {}

  static async start(options: SandboxServerOptions = {}): Promise<SandboxFixture> {
    const server = new SandboxServer({ port: 0, ...options });
    await server.start();
    return new SandboxFixture(server);
  }

  get url(): string {
    return this.server.url;
  }

  async admin(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<AdminResponse> {
    const res = await fetch(`${this.url}/admin${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    return { status: res.status, body: await res.json() };
  }

  /** Admin POST that must succeed; returns the created record. */
  async seed(path: string, body: unknown): Promise<any> {
    const res = await this.admin('POST', path, body);
    if (res.status >= 300) throw new Error(`seeding ${path} failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  async addUser(handle: string): Promise<{ id: string; handle: string; email: string }> {
    return this.seed('/users', { handle, email: `${handle}@sandbox.test`, password: PASSWORD });
  }

  /** A new user and a client already signed in as them. */
  async signedInUser(handle: string): Promise<SandboxClient> {
    await this.addUser(handle);
    return this.anonymous().login(handle, PASSWORD);
  }

  anonymous(): SandboxClient {
    return new SandboxClient(this.url);
  }

  close(): Promise<void> {
    return this.server.close();
  }
}
