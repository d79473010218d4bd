import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { findChromium } from '@fleetwright/shared';
import { waitFor } from './wait-for.js';

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  '--disable-quic',
  '--remote-debugging-port=0',
];

/** A real Chromium started outside the worker, with its DevTools endpoint. */
export class RemoteChromium {
  process: ChildProcess | undefined;
  port = 0;

  constructor(private readonly userDataDir: string) {}

  async start(): Promise<this> {
    this.process = spawn(findChromium(), [...FLAGS, `--user-data-dir=${this.userDataDir}`, 'about:blank'], { stdio: 'ignore', detached: true });
    const file = path.join(this.userDataDir, 'DevToolsActivePort');
    this.port = await waitFor(
      'Chromium to publish its DevTools port',
      () => (existsSync(file) ? Number(readFileSync(file, 'utf8').split('\n')[0]) || undefined : undefined),
      20_000,
    );
    return this;
  }

  get httpUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async wsEndpoint(): Promise<string> {
    const res = await fetch(`${this.httpUrl}/json/version`);
    return ((await res.json()) as { webSocketDebuggerUrl: string }).webSocketDebuggerUrl;
  }

  get alive(): boolean {
    return this.process !== undefined && this.process.exitCode === null && this.process.signalCode === null;
  }

  async stop(): Promise<void> {
    const child = this.process;
    if (!child || !this.alive) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    });
  }
}

/** A browser launcher over HTTP: one RemoteChromium per profile, started and stopped on request. */
export class TestBrowserLauncher {
  readonly calls: string[] = [];
  readonly browsers = new Map<string, RemoteChromium>();
  private readonly server = http.createServer((req, res) => void this.handle(req, res));

  constructor(private readonly dir: string) {}

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const match = /^\/profiles\/([^/]+)\/(start|stop)$/.exec(req.url ?? '');
    if (req.method !== 'POST' || !match) return void res.writeHead(404).end();
    const [, id, action] = match as unknown as [string, string, string];
    this.calls.push(`${action} ${id}`);
    if (action === 'start') {
      const browser = await new RemoteChromium(path.join(this.dir, `launcher-${id}`)).start();
      this.browsers.set(id, browser);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ wsEndpoint: await browser.wsEndpoint() }));
    } else {
      await this.browsers.get(id)?.stop();
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    }
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    await Promise.all([...this.browsers.values()].map((b) => b.stop()));
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}
