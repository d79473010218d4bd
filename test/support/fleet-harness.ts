import { randomBytes } from 'node:crypto';
import { Master } from '@fleetwright/master';
import { SandboxServer } from '@fleetwright/sandbox';
import { createLogger, findChromium, type AccountView, type JobView } from '@fleetwright/shared';
import { Worker, createSandboxPlugin, type WorkerOptions } from '@fleetwright/worker';
import { makeTempDir } from './temp-dir.js';
import { waitFor } from './wait-for.js';

// FLEET_TEST_LOG=debug (or info, warn) prints the fleet's own log while a test runs, to chase a failure.
const testLogLevel = process.env.FLEET_TEST_LOG;
const quiet = createLogger({ name: 'test', console: testLogLevel !== undefined, ...(testLogLevel ? { level: testLogLevel } : {}) });

/** A whole fleet on loopback: sandbox, master, and workers on demand. `close()` ends all of it. */
export class FleetHarness {
  readonly temp = makeTempDir();
  readonly sandbox = new SandboxServer();
  readonly apiToken = `fwa_${randomBytes(12).toString('hex')}`;
  readonly workerToken = `fww_${randomBytes(12).toString('hex')}`;
  readonly secretKey = randomBytes(32);
  readonly workers: Worker[] = [];
  master!: Master;

  constructor(
    private readonly masterOptions: {
      heartbeatIntervalMs?: number;
      retryBaseMs?: number;
      /** How long an offline worker keeps its accounts. @defaultValue the master's */
      accountFailoverMs?: number;
      /** A built dashboard for the master to serve at `/` (packages/dashboard/dist). @defaultValue none */
      dashboardDir?: string;
    } = {},
  ) {}

  async start(): Promise<this> {
    await this.sandbox.start();
    this.master = new Master({
      dataDir: `${this.temp.dir}/master`,
      port: 0,
      host: '127.0.0.1',
      secretKey: this.secretKey,
      workerToken: this.workerToken,
      apiToken: this.apiToken,
      heartbeatIntervalMs: this.masterOptions.heartbeatIntervalMs ?? 500,
      tickIntervalMs: 100,
      retryBaseMs: this.masterOptions.retryBaseMs ?? 200,
      ...(this.masterOptions.accountFailoverMs ? { accountFailoverMs: this.masterOptions.accountFailoverMs } : {}),
      logger: quiet,
      dashboardDir: this.masterOptions.dashboardDir,
    });
    await this.master.start();
    return this;
  }

  async startWorker(id: string, overrides: Partial<WorkerOptions> = {}): Promise<Worker> {
    const worker = new Worker({
      workerId: id,
      masterUrl: this.master.url,
      token: this.workerToken,
      dataDir: `${this.temp.dir}/${id}`,
      chromiumPath: findChromium(),
      plugins: [createSandboxPlugin({ baseUrl: this.sandbox.url })],
      maxConcurrency: 2,
      maxLiveContexts: 4,
      drainTimeoutMs: 5000,
      // Runs the end-to-end suites in either browser mode: FLEET_TEST_BROWSER_MODE=shared npx vitest run test/e2e
      ...(process.env.FLEET_TEST_BROWSER_MODE === 'shared' ? { browserMode: 'shared' as const } : {}),
      logger: quiet,
      ...overrides,
    });
    this.workers.push(worker);
    worker.start();
    await waitFor(`worker ${id} online`, async () => {
      const res = await this.api('GET', '/workers');
      const items = (res.body as { items: { id: string; status: string }[] }).items;
      return items.some((w) => w.id === id && w.status === 'online') ? true : undefined;
    });
    return worker;
  }

  async api(method: string, path: string, body?: unknown, token: string | null = this.apiToken): Promise<{ status: number; body: any }> {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${this.master.url}/api/v1${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  }

  async sandboxAdmin(path: string, body: unknown): Promise<any> {
    const res = await fetch(`${this.sandbox.url}/admin${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`sandbox admin ${path}: ${res.status} ${await res.text()}`);
    return res.json();
  }

  async waitForJob(id: string, statuses: string[] = ['succeeded', 'failed', 'cancelled'], timeoutMs = 60_000): Promise<JobView> {
    return waitFor(
      `job ${id} to reach ${statuses.join('/')}`,
      async () => {
        const res = await this.api('GET', `/jobs/${id}`);
        return statuses.includes(res.body.status) ? (res.body as JobView) : undefined;
      },
      timeoutMs,
      100,
    );
  }

  /** The account's view once `predicate` holds for it (`what` names the wait in a timeout). */
  async waitForAccount(id: string, what: string, predicate: (account: AccountView) => boolean, timeoutMs = 30_000): Promise<AccountView> {
    return waitFor(
      `account ${what}`,
      async () => {
        const view = (await this.api('GET', `/accounts/${id}`)).body as AccountView;
        return predicate(view) ? view : undefined;
      },
      timeoutMs,
      50,
    );
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.workers.map((w) => w.close()));
    await this.master?.close();
    await this.sandbox.close();
    this.temp.remove();
  }
}
