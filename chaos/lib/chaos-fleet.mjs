// The fleet under test: the sandbox site (in this process: it is the judge, never a target), a
// redis-server, one `fleet master` (SQLite) or two on a throwaway PostgreSQL (`backend: 'postgres'`,
// sharing Redis too) and N `fleet worker` processes, each worker reaching the masters and Redis only
// through proxies of ours.
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { SandboxServer } from '@fleetwright/sandbox';
import { fleetProcess, redisProcess } from './fleet-process.mjs';
import { readPostgresStore, readSqliteStore } from './judges.mjs';
import { startPostgres } from '../../bench/postgres.mjs';
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
    /** @type {import('./fleet-process.mjs').ChaosProcess[]} */
    this.masters = [];
    /** PostgreSQL mode: each leader kill, and how long until another master's /health said it leads. */
    this.takeovers = [];
    /** @type {{ name: string, at: number, code: number | null, signal: string | null }[]} */
    this.crashes = [];
  }

  get postgres() {
    return this.options.backend === 'postgres';
  }

  async start() {
    await this.sandbox.start();
    const redisPort = await freePort();
    this.redis = redisProcess(redisPort, path.join(this.runDir, 'redis'), this.logDir).start();
    const common = {
      FLEET_WORKER_TOKEN: `fww_${randomBytes(12).toString('hex')}`,
      FLEET_HEARTBEAT_INTERVAL_MS: String(this.options.heartbeatMs),
      FLEET_LOG_LEVEL: 'info',
    };
    const shared = { ...common, FLEET_API_TOKEN: this.apiToken, FLEET_SECRET_KEY: randomBytes(32).toString('hex') };
    if (this.postgres) {
      this.cluster = await startPostgres();
      this.databaseUrl = await this.cluster.createDatabase();
      await waitUntil('redis-server to accept connections', () => canConnect(redisPort), 10_000);
    }
    const names = this.postgres ? ['master-a', 'master-b'] : ['master'];
    for (const name of names) {
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      const env = { ...shared, PORT: String(port), FLEET_DATA_DIR: path.join(this.runDir, name) };
      if (this.postgres)
        Object.assign(env, {
          FLEET_DATABASE_URL: this.databaseUrl,
          FLEET_REDIS_URL: `redis://127.0.0.1:${redisPort}`,
          FLEET_MASTER_ID: name,
          FLEET_MASTER_PUBLIC_URL: url,
        });
      const master = fleetProcess(name, 'master', env, this.logDir);
      Object.assign(master, { port, url });
      this.masters.push(master.supervise((p, code, signal) => this.crashed(p, code, signal)).start());
      await waitUntil(`${name} to answer /health`, async () => (await fetch(`${url}/health`)).ok, 60_000);
      // The first one leads: the fleet starts as an operator's would, then the others join.
      if (this.postgres && name === names[0]) await waitUntil(`${name} to lead`, async () => (await this.healthOf(master))?.masters?.leading === true, 30_000);
    }
    this.master = this.masters[0];
    this.masterUrl = this.master.url;
    this.api = new MasterApi(
      this.masters.map((m) => m.url),
      this.apiToken,
    );
    await waitUntil('redis-server to accept connections', () => canConnect(redisPort), 10_000);

    for (let i = 1; i <= this.options.workers; i += 1) {
      const workerId = `chaos-w${i}`;
      const masterProxy = await proxyGroup(this.masters.map((m) => new TcpProxy(`${workerId}→${m.name}`, () => m.port)));
      const redisProxy = await new TcpProxy(`${workerId}→redis`, () => redisPort).start();
      const dataRoot = path.join(this.runDir, 'fleet');
      const worker = fleetProcess(
        workerId,
        'worker',
        {
          ...common,
          FLEET_WORKER_ID: workerId,
          FLEET_MASTER_URL: masterProxy.proxies.map((p) => `http://127.0.0.1:${p.port}`).join(','),
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
    progress(
      `fleet up: masters ${this.masters.map((m) => m.url).join(' ')}, ${this.workers.length} workers, redis :${redisPort}, sandbox ${this.sandbox.url}, run dir ${this.runDir}`,
    );
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
    for (const m of this.masters) if (!m.running) m.start();
    for (const w of this.workers) if (!w.running) w.start();
    await this.waitForWorkers(120_000).catch((error) => progress(`heal: ${error.message}`));
  }

  /** The way an operator stops a fleet: SIGTERM to workers, then master, then Redis. */
  async stop() {
    await Promise.all(this.workers.map((w) => w.stop(30_000)));
    await Promise.all(this.masters.map((m) => m.stop(30_000)));
    await this.redis?.stop(10_000);
    await Promise.all(this.workers.flatMap((w) => [w.masterProxy.close(), w.redisProxy.close()]));
  }

  /** Hard stop of whatever is left (after a failed run). */
  async kill() {
    await Promise.all([...this.workers, ...this.masters, this.redis].filter(Boolean).map((p) => p.kill()));
    await Promise.all(this.workers.flatMap((w) => [w.masterProxy.close(), w.redisProxy.close()]));
    await this.sandbox.close();
    await this.cluster?.stop();
  }

  /** What the judges read of the store, read directly once the masters stopped. */
  readStore() {
    return this.postgres ? readPostgresStore(this.databaseUrl) : readSqliteStore(path.join(this.runDir, 'master', 'master.db'));
  }

  async healthOf(master) {
    return fetch(`${master.url}/health`, { signal: AbortSignal.timeout(2000) })
      .then((res) => res.json())
      .catch(() => undefined);
  }

  /** The master that leads now (the only one in SQLite mode), or undefined while none does. */
  async leader() {
    if (!this.postgres) return this.master;
    for (const m of this.masters) if (m.running && (await this.healthOf(m))?.masters?.leading) return m;
    return undefined;
  }

  /**
   * PostgreSQL mode: after the leader was killed at `killedAt`, the time until a master leads again
   * (recorded): the other one, or the killed one restarted under its own id, which takes its lease
   * back if it has not lapsed yet.
   */
  async timeTakeover(killed, killedAt, timeoutMs = 60_000) {
    const until = killedAt + timeoutMs;
    while (Date.now() < until) {
      for (const m of this.masters) {
        if (!m.running) continue;
        if ((await this.healthOf(m))?.masters?.leading) {
          this.takeovers.push({ killed: killed.name, leader: m.name, ms: Date.now() - killedAt });
          return;
        }
      }
      await sleep(50);
    }
    this.takeovers.push({ killed: killed.name, leader: null, ms: null });
  }
}

/** One worker's proxies to every master, cut and healed together (a partition of that worker). */
async function proxyGroup(proxies) {
  for (const p of proxies) await p.start();
  return {
    proxies,
    partition() {
      for (const p of proxies) p.partition();
    },
    heal() {
      for (const p of proxies) p.heal();
    },
    close: () => Promise.all(proxies.map((p) => p.close())),
  };
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
