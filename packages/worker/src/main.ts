import { createLogger, findChromium, loadConfig, loadOrExit, readInt, readVar, closeOnSignals, logProcessFailures } from '@fleetwright/shared';
import { createSandboxPlugin } from './platforms/sandbox/index.js';
import { Worker } from './worker.js';
import { readWorkerEnv } from './worker-env.js';
import path from 'node:path';
import { readLocalWorkerToken } from './connection/local-worker-token.js';
import { loadPlugins } from './platforms/load-plugins.js';
import { WorkerCredential } from './connection/worker-credential.js';

async function loadOrExitAsync<T>(load: () => Promise<T>, name: string): Promise<T> {
  try {
    return await load();
  } catch (error) {
    return loadOrExit(() => {
      throw error;
    }, name);
  }
}

/** Composition root of a worker process (PM2, `fleet worker`). */
export async function runWorker(): Promise<void> {
  const config = loadOrExit(() => loadConfig(), 'fleet-worker');
  const chromiumPath = loadOrExit(() => findChromium(), 'fleet-worker');
  // Running jobs get this long to finish on SIGTERM; PM2's kill_timeout (ecosystem.config.js) is set above it.
  const drainTimeoutMs = loadOrExit(() => readInt(process.env, 'FLEET_DRAIN_TIMEOUT_MS', 30_000, { min: 0, max: 3_600_000 }), 'fleet-worker');
  const browserEnv = loadOrExit(() => readWorkerEnv(process.env), 'fleet-worker');
  // JSON lines to data/logs/worker_<id>-<date>.log (rotated), readable lines on the console.
  const logger = createLogger({ name: `worker:${config.workerId}`, level: config.logLevel, dir: path.join(config.dataDir, 'logs') });
  logProcessFailures('worker', logger);
  const sandboxUrl = readVar(process.env, 'FLEET_SANDBOX_URL')?.value ?? 'http://127.0.0.1:3100';
  const extra = await loadOrExitAsync(() => loadPlugins(process.env.FLEET_PLUGINS), 'fleet-worker');
  const plugins = [createSandboxPlugin({ baseUrl: sandboxUrl }), ...extra];
  const duplicate = plugins.find((p, i) => plugins.findIndex((q) => q.platform === p.platform) !== i);
  if (duplicate) {
    process.stderr.write(`fleet-worker: invalid configuration: FLEET_PLUGINS loads platform ${duplicate.platform} twice\n`);
    process.exit(78);
  }
  // Each worker keeps its profiles apart, so two workers may share one data dir.
  const workerDir = path.join(config.dataDir, 'workers', config.workerId);
  const credentials = new WorkerCredential({
    masterUrl: config.masterUrl,
    masterUrls: config.masterUrls,
    workerId: config.workerId,
    dataDir: workerDir,
    fleetToken: async () => config.workerToken ?? (await readLocalWorkerToken(config.dataDir, 20_000)),
    logger,
  });
  const token = await credentials.obtain().catch((error: Error) => {
    // No fleet token, a wrong one, or an id enrolled elsewhere: retrying can't help.
    process.stderr.write(`fleet-worker: cannot enroll worker ${config.workerId}: ${error.message}\n`);
    process.exit(78);
  });
  const worker = new Worker({
    workerId: config.workerId,
    masterUrl: config.masterUrl,
    masterUrls: config.masterUrls,
    token,
    renewToken: () => credentials.renew(),
    dataDir: workerDir,
    chromiumPath,
    plugins,
    headless: config.headless,
    chromiumSandbox: config.chromiumSandbox,
    maxAccounts: config.maxAccounts,
    maxConcurrency: config.maxConcurrency,
    maxLiveContexts: config.maxLiveContexts,
    heartbeatIntervalMs: config.heartbeatIntervalMs,
    drainTimeoutMs,
    redisUrl: config.redisUrl,
    trace: config.trace,
    recordVideo: config.recordVideo,
    ...browserEnv,
    remoteBrowser: { cdpUrl: config.browserCdpUrl, launcherUrl: config.browserLauncherUrl },
    logger,
  });
  worker.start();
  closeOnSignals('worker', () => worker.close(), logger);
}
