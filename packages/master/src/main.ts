import path from 'node:path';
import {
  createLogger,
  loadConfig,
  loadMasterEdgeConfig,
  loadOrExit,
  closeOnSignals,
  logProcessFailures,
  readDatabaseUrl,
  readMastersConfig,
  readEnum,
  registerSecret,
} from '@fleetwright/shared';
import { DB_SYNCHRONOUS_MODES } from './store/sqlite/database.js';
import { Master } from './master.js';
import { loadOrCreateSecrets } from './master-secrets.js';
import { fileURLToPath } from 'node:url';

/** The workspace's built dashboard (packages/dashboard/dist), next to this package. */
function defaultDashboardDir(): string {
  return fileURLToPath(new URL('../../dashboard/dist', import.meta.url));
}

/** Composition root of a master process (PM2, `fleet master`). */
export async function runMaster(): Promise<void> {
  const config = loadOrExit(() => loadConfig(), 'fleet-master');
  const edge = loadOrExit(() => loadMasterEdgeConfig(), 'fleet-master');
  const dbSynchronous = loadOrExit(() => readEnum(process.env, 'FLEET_DB_SYNCHRONOUS', DB_SYNCHRONOUS_MODES, 'normal'), 'fleet-master');
  const databaseUrl = loadOrExit(() => readDatabaseUrl(process.env), 'fleet-master');
  const masters = loadOrExit(() => readMastersConfig(process.env), 'fleet-master');
  registerSecret(edge.metricsToken);
  // The URL and its password stay out of every log line.
  registerSecret(databaseUrl);
  if (databaseUrl) registerSecret(decodeURIComponent(new URL(databaseUrl).password));
  // JSON lines to data/logs/master-<date>.log (rotated), readable lines on the console.
  const logger = createLogger({ name: 'master', level: config.logLevel, dir: path.join(config.dataDir, 'logs') });
  logProcessFailures('master', logger);
  const secrets = loadOrCreateSecrets(config);
  const master = new Master({
    dataDir: config.dataDir,
    port: config.port,
    // Every interface unless FLEET_BIND says otherwise: remote workers must reach `fleet master`.
    host: edge.bind,
    trustProxy: edge.trustProxy,
    metricsToken: edge.metricsToken,
    secretKey: secrets.secretKey,
    workerToken: secrets.workerToken,
    apiToken: secrets.apiToken,
    heartbeatIntervalMs: config.heartbeatIntervalMs,
    dashboardDir: process.env.FLEET_DASHBOARD_DIR || defaultDashboardDir(),
    allowedOrigins: config.allowedOrigins,
    dbSynchronous,
    ...(databaseUrl ? { databaseUrl } : {}),
    ...(masters.masterId ? { masterId: masters.masterId } : {}),
    ...(config.redisUrl ? { redisUrl: config.redisUrl } : {}),
    ...(masters.publicUrl ? { publicUrl: masters.publicUrl } : {}),
    leaderLeaseMs: masters.leaderLeaseMs,
    logger,
  });
  await master.start();
  if (secrets.generated.length > 0) logger.info(`generated ${secrets.generated.join(', ')} in ${config.dataDir}/secrets.json (mode 0600)`);
  closeOnSignals('master', () => master.close(), logger);
}
