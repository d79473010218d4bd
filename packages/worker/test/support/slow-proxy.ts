import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A reverse proxy in front of a real site that holds back the answers to chosen requests, the way
 * a real platform answers a login form after a while rather than at once.
 */
export class SlowProxy {
  private readonly server: http.Server;

  constructor(target: string, slow: { method: string; path: string; delayMs: number }) {
    const upstream = new URL(target);
    this.server = http.createServer((req, res) => {
      const forward = http.request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
        const send = (): void => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        };
        if (req.method === slow.method && (req.url ?? '').split('?')[0] === slow.path) setTimeout(send, slow.delayMs);
        else send();
      });
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
