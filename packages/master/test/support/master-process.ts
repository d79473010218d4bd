import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ApiResponse } from './master-fixture.js';
import { waitUntil } from './wait-until.js';

/** The built CLI, as PM2 and `npm start` run it. */
const CLI_MAIN = fileURLToPath(new URL('../../../cli/dist/main.js', import.meta.url));

export interface MasterProcessOptions {
  /** FLEET_HEARTBEAT_INTERVAL_MS. @defaultValue 300 */
  heartbeatIntervalMs?: number;
  /** More environment (FLEET_DATABASE_URL, FLEET_MASTER_ID, ...). */
  env?: Record<string, string>;
  /** Another master process whose tokens and key this one uses (masters sharing one database). */
  secretsOf?: MasterProcess;
}

/**
 * A real master process (`node packages/cli/dist/main.js master`) on a fixed free loopback port
 * and a temp data dir, so it can be killed hard and started again on the same port and data.
 * `close()` kills whatever child is left and removes the temp dir.
 */
export class MasterProcess {
  readonly tempDir = mkdtempSync(path.join(os.tmpdir(), 'fleet-master-proc-'));
  readonly dataDir = path.join(this.tempDir, 'data');
  readonly apiToken: string;
  readonly workerToken: string;
  readonly secretKeyHex: string;
  child: ChildProcess | undefined;
  /** The child's stderr and stdout, for a failure message. */
  output = '';

  private constructor(
    readonly port: number,
    private readonly options: MasterProcessOptions,
  ) {
    const shared = options.secretsOf;
    this.apiToken = shared?.apiToken ?? `fwa_${randomBytes(12).toString('hex')}`;
    this.workerToken = shared?.workerToken ?? `fww_${randomBytes(12).toString('hex')}`;
    this.secretKeyHex = shared?.secretKeyHex ?? randomBytes(32).toString('hex');
  }

  static async create(options: MasterProcessOptions = {}): Promise<MasterProcess> {
    return new MasterProcess(await freePort(), options);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Spawns the master and resolves once `/health` answers. */
  async start(): Promise<void> {
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      PORT: String(this.port),
      FLEET_DATA_DIR: this.dataDir,
      FLEET_WORKER_TOKEN: this.workerToken,
      FLEET_API_TOKEN: this.apiToken,
      FLEET_SECRET_KEY: this.secretKeyHex,
      FLEET_HEARTBEAT_INTERVAL_MS: String(this.options.heartbeatIntervalMs ?? 300),
      FLEET_LOG_LEVEL: 'warn',
      // Masters sharing a database forward writes to the leader here (the host name may not resolve on a test machine).
      FLEET_MASTER_PUBLIC_URL: this.url,
      ...this.options.env,
    };
    const child = spawn(process.execPath, [CLI_MAIN, 'master'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    await waitUntil(
      `the master process on ${this.url} to answer /health (output: ${this.output})`,
      async () => {
        if (child.exitCode !== null) throw new Error(`master exited with ${child.exitCode}: ${this.output}`);
        const res = await fetch(`${this.url}/health`, { signal: AbortSignal.timeout(1_000) });
        return res.ok ? true : undefined;
      },
      10_000,
      50,
    );
  }

  /** SIGKILL: no close(), no flush, no goodbye to the sockets. Resolves once the process is gone. */
  async kill(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }

  async api(method: string, route: string, body?: unknown): Promise<ApiResponse> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.apiToken}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${this.url}/api/v1${route}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(5_000),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  }

  async close(): Promise<void> {
    try {
      await this.kill();
    } finally {
      rmSync(this.tempDir, { recursive: true, force: true });
    }
  }
}

/** A loopback port nobody listens on right now (the OS picks it; we release it at once). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
