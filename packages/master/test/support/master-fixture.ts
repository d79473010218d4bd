import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { io, type Socket } from 'socket.io-client';
import { Master, type MasterOptions } from '@fleetwright/master';
import { createLogger, Namespace, type ClientToMasterEvents, type MasterToClientEvents } from '@fleetwright/shared';
import { SimulatedWorker, type SimulatedWorkerOptions } from './simulated-worker.js';
import { waitUntil } from './wait-until.js';

export type ClientSocket = Socket<MasterToClientEvents, ClientToMasterEvents>;

export interface MasterFixtureOptions {
  /** @defaultValue 10000 (liveness never interferes unless a test asks for it) */
  heartbeatIntervalMs?: number;
  /** @defaultValue 50 */
  tickIntervalMs?: number;
  /** @defaultValue 50 */
  retryBaseMs?: number;
  /** How long an offline worker keeps its accounts. @defaultValue the master's (60000) */
  accountFailoverMs?: number;
  /** Finished jobs older than this are purged. @defaultValue the master's (7 days) */
  retentionMs?: number;
  /** Origins allowed to open cookie sockets besides the master's own. @defaultValue none */
  allowedOrigins?: string[];
  /** A /client socket with more unsent packets is cut. @defaultValue the master's */
  maxQueuedClientPackets?: number;
  /** Keep the state in this PostgreSQL database instead of SQLite in the data dir. @defaultValue SQLite */
  databaseUrl?: string;
  /** The leader lease's life, with `databaseUrl`. @defaultValue the master's (6000) */
  leaderLeaseMs?: number;
  /** The HTTP edge's options (trust proxy, metrics token, worker auth, upload cap). @defaultValue the master's */
  trustProxy?: MasterOptions['trustProxy'];
  metricsToken?: MasterOptions['metricsToken'];
  workerAuth?: MasterOptions['workerAuth'];
  maxArtifactBytes?: MasterOptions['maxArtifactBytes'];
}

export interface ApiResponse {
  status: number;
  body: any;
}

const quiet = createLogger({ name: 'master-test', console: process.env.FLEET_TEST_LOGS === '1', level: 'debug' });

/**
 * A real Master on 127.0.0.1:0 with its own temp data dir and fresh tokens and key. It can be
 * stopped and started again on the same data dir (optionally with another key). `close()` ends
 * every socket it handed out, the master, and removes the temp dir.
 */
export class MasterFixture {
  readonly tempDir = mkdtempSync(path.join(os.tmpdir(), 'fleet-master-test-'));
  readonly dataDir = path.join(this.tempDir, 'master');
  readonly dbFile = path.join(this.dataDir, 'master.db');
  readonly apiToken = `fwa_${randomBytes(12).toString('hex')}`;
  readonly workerToken = `fww_${randomBytes(12).toString('hex')}`;
  readonly secretKey = randomBytes(32);
  master!: Master;
  private readonly workers: SimulatedWorker[] = [];
  private readonly clients: ClientSocket[] = [];

  private constructor(private readonly options: MasterFixtureOptions) {}

  static async start(options: MasterFixtureOptions = {}): Promise<MasterFixture> {
    const fixture = new MasterFixture(options);
    await fixture.startMaster();
    return fixture;
  }

  /**
   * Starts a master on this fixture's data dir; `secretKey` replaces the fixture's key for this run,
   * `databaseUrl` the store (a fleet moved to PostgreSQL keeps its data dir, tokens and key).
   */
  async startMaster(secretKey: Buffer = this.secretKey, databaseUrl: string | undefined = this.options.databaseUrl): Promise<Master> {
    this.master = new Master({
      dataDir: this.dataDir,
      port: 0,
      host: '127.0.0.1',
      secretKey,
      workerToken: this.workerToken,
      apiToken: this.apiToken,
      heartbeatIntervalMs: this.options.heartbeatIntervalMs ?? 10_000,
      tickIntervalMs: this.options.tickIntervalMs ?? 50,
      retryBaseMs: this.options.retryBaseMs ?? 50,
      ...(this.options.accountFailoverMs === undefined ? {} : { accountFailoverMs: this.options.accountFailoverMs }),
      ...(this.options.retentionMs === undefined ? {} : { retentionMs: this.options.retentionMs }),
      ...(this.options.allowedOrigins === undefined ? {} : { allowedOrigins: this.options.allowedOrigins }),
      ...(this.options.maxQueuedClientPackets === undefined ? {} : { maxQueuedClientPackets: this.options.maxQueuedClientPackets }),
      ...(databaseUrl === undefined ? {} : { databaseUrl }),
      ...(this.options.leaderLeaseMs === undefined ? {} : { leaderLeaseMs: this.options.leaderLeaseMs }),
      trustProxy: this.options.trustProxy,
      metricsToken: this.options.metricsToken,
      workerAuth: this.options.workerAuth,
      maxArtifactBytes: this.options.maxArtifactBytes,
      logger: quiet,
    });
    await this.master.start();
    return this.master;
  }

  get url(): string {
    return this.master.url;
  }

  /** A simulated worker (not yet connected) that `close()` will disconnect. */
  worker(workerId: string, options: Partial<SimulatedWorkerOptions> = {}): SimulatedWorker {
    const worker = new SimulatedWorker({ workerId, url: this.url, token: this.workerToken, ...options });
    this.workers.push(worker);
    return worker;
  }

  /** A `/client` socket (not yet connected) that `close()` will disconnect. */
  client(token: string = this.apiToken): ClientSocket {
    const socket: ClientSocket = io(`${this.url}${Namespace.Client}`, {
      auth: { token },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      autoConnect: false,
    });
    this.clients.push(socket);
    return socket;
  }

  async api(method: string, route: string, body?: unknown, token: string | null = this.apiToken): Promise<ApiResponse> {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${this.url}/api/v1${route}`, {
      method,
      headers,
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      signal: AbortSignal.timeout(5_000),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  }

  async health(): Promise<ApiResponse> {
    const res = await fetch(`${this.url}/health`, { signal: AbortSignal.timeout(5_000) });
    return { status: res.status, body: await res.json() };
  }

  /** Creates an account through REST and returns its view. */
  async createAccount(body: Record<string, unknown> = { platform: 'sandbox' }): Promise<any> {
    const res = await this.api('POST', '/accounts', body);
    if (res.status !== 201) throw new Error(`POST /accounts: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  /** Creates a job through REST and returns its view. */
  async createJob(body: Record<string, unknown>): Promise<any> {
    const res = await this.api('POST', '/jobs', body);
    if (res.status !== 201) throw new Error(`POST /jobs: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  async job(id: string): Promise<any> {
    return (await this.api('GET', `/jobs/${id}`)).body;
  }

  /** Polls `GET /jobs/:id` until `predicate` holds, failing after `timeoutMs` with `what`. */
  waitForJob(id: string, what: string, predicate: (job: any) => boolean, timeoutMs = 5_000): Promise<any> {
    return waitUntil(
      `job ${id}: ${what}`,
      async () => {
        const job = await this.job(id);
        return predicate(job) ? job : undefined;
      },
      timeoutMs,
    );
  }

  /** Polls `GET /accounts/:id` until `predicate` holds. */
  waitForAccount(id: string, what: string, predicate: (account: any) => boolean, timeoutMs = 5_000): Promise<any> {
    return waitUntil(
      `account ${id}: ${what}`,
      async () => {
        const account = (await this.api('GET', `/accounts/${id}`)).body;
        return predicate(account) ? account : undefined;
      },
      timeoutMs,
    );
  }

  /** Rows of the `refused_reports` table, oldest first, with `detail` parsed. */
  refusedReports(): { worker_id: string; event: string; code: string; detail: Record<string, unknown> }[] {
    const rows = this.master.store.db.prepare('SELECT worker_id, event, code, detail FROM refused_reports ORDER BY seq').all() as {
      worker_id: string;
      event: string;
      code: string;
      detail: string;
    }[];
    return rows.map((r) => ({ ...r, detail: JSON.parse(r.detail) as Record<string, unknown> }));
  }

  /** Stops the master only: sockets stay with the fixture, the data dir stays on disk. */
  async stopMaster(): Promise<void> {
    for (const worker of this.workers.splice(0)) worker.close();
    for (const client of this.clients.splice(0)) client.disconnect();
    await this.master?.close();
  }

  async close(): Promise<void> {
    try {
      await this.stopMaster();
    } finally {
      rmSync(this.tempDir, { recursive: true, force: true });
    }
  }
}
