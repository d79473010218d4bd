import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { adminRoutes } from './routes/admin-routes.js';
import { authRoutes } from './routes/auth-routes.js';
import { contentRoutes } from './routes/content-routes.js';
import { FenceOracle } from './fence-oracle.js';
import { SandboxStore } from './store/sandbox-store.js';

export interface SandboxServerOptions {
  /** @defaultValue 0 (a free port) */
  port?: number;
  /** @defaultValue `127.0.0.1` */
  host?: string;
  /** When set, `/admin/*` requires header `x-admin-token`. */
  adminToken?: string;
}

/** The sandbox social platform: a real server-rendered site on loopback. */
export class SandboxServer {
  readonly store = new SandboxStore();
  readonly fence = new FenceOracle();
  private server: http.Server | undefined;
  private closing: Promise<void> | undefined;

  constructor(private readonly options: SandboxServerOptions = {}) {}

  get url(): string {
    const address = this.server?.address() as AddressInfo | null | undefined;
    if (!address) throw new Error('SandboxServer is not started');
    return `http://${this.options.host ?? '127.0.0.1'}:${address.port}`;
  }

  async start(): Promise<void> {
    if (this.server) return;
    const app = express();
    app.disable('x-powered-by');
    app.use(this.fence.middleware(this.store));
    app.use('/admin', adminRoutes(this.store, this.options.adminToken));
    app.get('/oracle/fence-violations', (_req, res) => {
      res.json({ requestsWithFence: this.fence.requestsWithFence, violations: this.fence.violations });
    });
    app.use(authRoutes(this.store));
    app.use(contentRoutes(this.store));
    const server = http.createServer(app);
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1', () => resolve());
    });
  }

  /** Idempotent; drops keep-alive connections so no socket outlives the server. */
  close(): Promise<void> {
    if (!this.closing) {
      const server = this.server;
      this.closing = server
        ? new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections();
          })
        : Promise.resolve();
    }
    return this.closing;
  }
}
