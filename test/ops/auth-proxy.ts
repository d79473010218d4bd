import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A real forward HTTP proxy on loopback that demands Basic proxy credentials (answering 407
 * until they come, as a paid proxy does) and forwards plain-HTTP requests. It counts what it let
 * through, so a test can prove a browser used it with the right password.
 */
export class AuthProxy {
  private readonly server: http.Server;
  authorized = 0;
  refused = 0;

  constructor(
    readonly username: string,
    readonly password: string,
  ) {
    const expected = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
    this.server = http.createServer((req, res) => {
      if (req.headers['proxy-authorization'] !== expected) {
        this.refused += 1;
        res.writeHead(407, { 'proxy-authenticate': 'Basic realm="fleet-test-proxy"', connection: 'close' }).end();
        return;
      }
      this.authorized += 1;
      const target = new URL(req.url ?? '/');
      const headers = { ...req.headers };
      delete headers['proxy-authorization'];
      delete headers['proxy-connection'];
      const upstream = http.request(
        { host: target.hostname, port: target.port, path: `${target.pathname}${target.search}`, method: req.method, headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => res.writeHead(502).end());
      req.pipe(upstream);
    });
    // HTTPS through CONNECT is not needed here (the sandbox is plain HTTP): refuse it.
    this.server.on('connect', (_req, socket) => socket.end('HTTP/1.1 405 Method Not Allowed\r\n\r\n'));
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  /** `http://user:pass@127.0.0.1:port`, as an account's proxy field takes it. */
  get url(): string {
    return `http://${encodeURIComponent(this.username)}:${encodeURIComponent(this.password)}@127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
