import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { FenceOracle } from './fence-oracle.js';
import { adminRoutes } from './routes/admin-routes.js';
import { authRoutes } from './routes/auth-routes.js';
import { contentRoutes } from './routes/content-routes.js';
import { inboxRoutes } from './routes/inbox-routes.js';
import { messageRoutes } from './routes/message-routes.js';
import { oracleRoutes } from './routes/oracle-routes.js';
import { qrApproveRoutes } from './routes/qr-approve-routes.js';
import { qrLoginRoutes } from './routes/qr-login-routes.js';
import { secondFactorRoutes } from './routes/second-factor-routes.js';
import { replyRoutes } from './routes/reply-routes.js';
import { teamRoutes } from './routes/team-routes.js';
import { DEFAULT_QR_TTL_MS, type SandboxServerOptions } from './sandbox-server-options.js';
import { SandboxStore } from './store/sandbox-store.js';

export type { SandboxServerOptions } from './sandbox-server-options.js';

/** The sandbox social platform: a real server-rendered site on loopback. */
export class SandboxServer {
  readonly store = new SandboxStore();
  readonly fence = new FenceOracle();
  private server: http.Server | undefined;
  private closing: Promise<void> | undefined;

  constructor(private readonly options: SandboxServerOptions = {}) {
    const ttl = options.qrTtlMs;
    if (ttl !== undefined && !(Number.isInteger(ttl) && ttl > 0)) throw new RangeError(`qrTtlMs must be a positive integer, got ${ttl}`);
  }

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
    app.use('/oracle', oracleRoutes(this.store, this.fence));
    app.use(authRoutes(this.store));
    app.use(secondFactorRoutes(this.store));
    app.use(qrLoginRoutes(this.store, { ttlMs: this.options.qrTtlMs ?? DEFAULT_QR_TTL_MS }));
    app.use(qrApproveRoutes(this.store));
    app.use(contentRoutes(this.store));
    app.use(replyRoutes(this.store));
    app.use(messageRoutes(this.store));
    app.use(teamRoutes(this.store));
    app.use(inboxRoutes(this.store));
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
