import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A tiny plain http server that records the fence header of every request it gets. Its page loads
 * an image and a script, and the script calls fetch(), so one visit makes all three kinds of request.
 */
export class HeaderRecorder {
  readonly requests: { path: string; fence: string | undefined }[] = [];
  private readonly server = http.createServer((req, res) => {
    this.requests.push({ path: req.url ?? '', fence: req.headers['x-fleet-fence'] as string | undefined });
    if (req.url === '/') {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>t</title><img src="/pixel.gif"><script src="/app.js"></script>');
    } else if (req.url === '/app.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end("fetch('/api', { method: 'POST', body: 'x' });");
    } else {
      res.writeHead(204).end();
    }
  });

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
