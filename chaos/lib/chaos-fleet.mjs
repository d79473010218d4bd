// The fleet under test: the sandbox site (in this process: it is the judge, never a target), a
// redis-server, one `fleet master` and N `fleet worker` processes, each worker reaching the master
// and Redis only through a proxy of ours.
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { SandboxServer } from '@fleetwright/sandbox';
import { fleetProcess, redisProcess } from './fleet-process.mjs';
import { MasterApi, progress, sleep } from './rest.mjs';
import { TcpProxy } from './tcp-proxy.mjs';
import { freePort } from '../../bench/lib.mjs';

async function waitUntil(what, check, timeoutMs) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check().catch(() => false)) return;
    await sleep(200);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

export class ChaosFleet {
  /**
   * @param {{ workers: number, heartbeatMs: number, maxLiveContexts: number, maxConcurrency: number }} options
   */
  constructor(options) {
    this.options = options;
    this.runDir = mkdtempSync(path.join(os.tmpdir(), 'fleet-chaos-'));
    this.logDir = path.join(this.runDir, 'logs');
    this.sandbox = new SandboxServer();
    this.apiToken = `fwa_${randomBytes(12).toString('hex')}`;
    this.workers = [];
    /** @type {{ name: string, at: number, code: number | null, signal: string | null }[]} */
    this.crashes = [];
  }

  async start() {
    await this.sandbox.start();
    const redisPort = await freePort();
    this.redis = redisProcess(redisPort, path.join(this.runDir, 'redis'), this.logDir).start();
    const masterPort = await freePort();
    this.masterUrl = `http://127.0.0.1:${masterPort}`;
    this.api = new MasterApi(this.masterUrl, this.apiToken);
    const common = {
      FLEET_WORKER_TOKEN: `fww_${randomBytes(12).toString('hex')}`,
      FLEET_HEARTBEAT_INTERVAL_MS: String(this.options.heartbeatMs),
      FLEET_LOG_LEVEL: 'info',
    };
    this.master = fleetProcess(
      'master',
      'master',
      {
        ...common,
        PORT: String(masterPort),
        FLEET_DATA_DIR: path.join(this.runDir, 'master'),
        FLEET_API_TOKEN: this.apiToken,
        FLEET_SECRET_KEY: randomBytes(32).toString('hex'),
      },
      this.logDir,
    )
      .supervise((p, code, signal) => this.crashed(p, code, signal))
      .start();
    await waitUntil('the master to answer /health', async () => (await fetch(`${this.masterUrl}/health`)).ok, 60_000);
    await waitUntil('redis-server to accept connections', () => canConnect(redisPort), 10_000);

    for (let i = 1; i <= this.options.workers; i += 1) {
      const workerId = `chaos-w${i}`;
      const masterProxy = await new TcpProxy(`${workerId}→master`, () => masterPort).start();
      const redisProxy = await new TcpProxy(`${workerId}→redis`, () => redisPort).start();
      const dataRoot = path.join(this.runDir, 'fleet');
      const worker = fleetProcess(
        workerId,
        'worker',
        {
          ...common,
          FLEET_WORKER_ID: workerId,
          FLEET_MASTER_URL: `http://127.0.0.1:${masterProxy.port}`,
          FLEET_REDIS_URL: `redis://127.0.0.1:${redisProxy.port}`,
          FLEET_DATA_DIR: dataRoot,
          FLEET_SANDBOX_URL: this.sandbox.url,
          FLEET_MAX_LIVE_CONTEXTS: String(this.options.maxLiveContexts),
          FLEET_MAX_CONCURRENCY: String(this.options.maxConcurrency),
          FLEET_MAX_ACCOUNTS: '200',
          FLEET_DRAIN_TIMEOUT_MS: '5000',
        },
        this.logDir,
      );
      Object.assign(worker, { workerId, masterProxy, redisProxy, dataDir: path.join(dataRoot, 'workers', workerId) });
      this.workers.push(worker.supervise((p, code, signal) => this.crashed(p, code, signal)).start());
    }
    await this.waitForWorkers();
    progress(`fleet up: master ${this.masterUrl}, ${this.workers.length} workers, redis :${redisPort}, sandbox ${this.sandbox.url}, run dir ${this.runDir}`);
    return this;
  }

  crashed(proc, code, signal) {
    this.crashes.push({ name: proc.name, at: Date.now(), code, signal });
    progress(`crash: ${proc.name} exited by itself (code ${code}, signal ${signal}); restarting it as PM2 would`);
  }

  async waitForWorkers(timeoutMs = 90_000) {
    await waitUntil(
      `${this.workers.length} workers online`,
      async () => {
        const res = await this.api.call('GET', '/workers');
        return res.body.items.filter((w) => w.status === 'online').length >= this.workers.length;
      },
      timeoutMs,
    );
  }

  /** Everything up again after the faults: partitions healed, dead processes started. */
  async healAll() {
    for (const w of this.workers) {
      w.masterProxy.heal();
      w.redisProxy.heal();
    }
    if (!this.redis.running) this.redis.start();
    if (!this.master.running) this.master.start();
    for (const w of this.workers) if (!w.running) w.start();
    await this.waitForWorkers(120_000).catch((error) => progress(`heal: ${error.message}`));
  }

  /** The way an operator stops a fleet: SIGTERM to workers, then master, then Redis. */
  async stop() {
    await Promise.all(this.workers.map((w) => w.stop(30_000)));
    await this.master?.stop(30_000);
    await this.redis?.stop(10_000);
    await Promise.all(this.workers.flatMap((w) => [w.masterProxy.close(), w.redisProxy.close()]));
  }

  /** Hard stop of whatever is left (after a failed run). */
  async kill() {
    await Promise.all([...this.workers, this.master, this.redis].filter(Boolean).map((p) => p.kill()));
    await Promise.all(this.workers.flatMap((w) => [w.masterProxy.close(), w.redisProxy.close()]));
    await this.sandbox.close();
  }
}

function canConnect(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
