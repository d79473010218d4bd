import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A plain forward HTTP proxy on loopback that records every request it carries (its URL and user
 * agent) and tags it with `x-via-proxy: <name>` on the way.
 */
export class ForwardProxy {
  readonly requests: { url: string; userAgent: string | undefined }[] = [];
  private readonly server: http.Server;

  constructor(readonly name: string) {
    this.server = http.createServer((req, res) => {
      let target: URL;
      try {
        target = new URL(req.url ?? '');
      } catch {
        res.writeHead(400).end('absolute URL expected');
        return;
      }
      this.requests.push({ url: target.href, userAgent: req.headers['user-agent'] });
      const headers = { ...req.headers, 'x-via-proxy': this.name };
      delete headers['proxy-connection'];
      delete headers['proxy-authorization'];
      const forward = http.request(
        { host: target.hostname, port: target.port, method: req.method, path: `${target.pathname}${target.search}`, headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      forward.on('error', () => res.writeHead(502).end());
      req.pipe(forward);
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}
