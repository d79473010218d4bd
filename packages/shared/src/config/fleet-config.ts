import os from 'node:os';
import path from 'node:path';
import { configError, readBool, readEnum, readInt, readUrl, readVar, type Env } from './env-reader.js';
import { parseSecretKey } from '../crypto/seal.js';

export const LOG_LEVELS = ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * What Playwright trace a worker records for each job attempt; whatever the mode, a trace is kept
 * (`trace.zip`) only when the attempt fails.
 * - `full-on-retry`: every attempt records its actions, their call logs, console messages and page
 *   errors; a retry (attempt 2 and later) also records DOM snapshots and network, like Playwright's
 *   `on-first-retry`: DOM snapshots cost a warm job much of its time (docs/PERFORMANCE.md).
 * - `full`: every attempt records DOM snapshots and network too (Playwright's `retain-on-failure`).
 * - `off`: no trace (the failure screenshot and run.log are still kept).
 */
export const TRACE_MODES = ['full-on-retry', 'full', 'off'] as const;
export type TraceMode = (typeof TRACE_MODES)[number];

/**
 * Whether a worker keeps a video of a job attempt's pages (`video.mjpeg`, its screencast frames):
 * `off`, `on-failure` (kept when the attempt fails) or `always`.
 */
export const RECORD_VIDEO_MODES = ['off', 'on-failure', 'always'] as const;
export type RecordVideoMode = (typeof RECORD_VIDEO_MODES)[number];

/** The whole fleet's configuration, read from the environment (see the README's table). */
export interface FleetConfig {
  /** Master URL a worker connects to (the first of `masterUrls`). @defaultValue `http://127.0.0.1:3000` */
  masterUrl: string;
  /**
   * Every master a worker may connect to (`FLEET_MASTER_URL` may list several, comma-separated): it
   * tries the next when one is out of reach or does not lead. @defaultValue [`masterUrl`]
   */
  masterUrls: string[];
  /** This worker's id. @defaultValue the host name */
  workerId: string;
  /** Shared token that workers present to the master. */
  workerToken: string | undefined;
  /** Admin API token accepted beside the stored ones. */
  apiToken: string | undefined;
  /** 32-byte key for secrets at rest (64 hex chars or base64). */
  secretKey: Buffer | undefined;
  /** @defaultValue `./data` */
  dataDir: string;
  /** @defaultValue 20 */
  maxAccounts: number;
  /** @defaultValue 4 */
  maxConcurrency: number;
  /** @defaultValue 10 */
  maxLiveContexts: number;
  /** @defaultValue true */
  headless: boolean;
  /** Absent: the master grants leases and fencing tokens itself. */
  redisUrl: string | undefined;
  chromiumPath: string | undefined;
  /** Chromium's sandbox; it is off anyway when the worker runs as root. @defaultValue true */
  chromiumSandbox: boolean;
  /** DevTools endpoint of an external Chromium; accounts get contexts in it instead of local profiles. */
  browserCdpUrl: string | undefined;
  /** HTTP launcher that starts a browser per profile (POST /profiles/:id/start → { wsEndpoint }). */
  browserLauncherUrl: string | undefined;
  /** @defaultValue `info` */
  logLevel: LogLevel;
  /** Master HTTP port. @defaultValue 3000 */
  port: number;
  /** How often a worker heartbeats. @defaultValue 10000 */
  heartbeatIntervalMs: number;
  /** The Playwright trace a worker records per job attempt (see {@link TRACE_MODES}). @defaultValue `full-on-retry` */
  trace: TraceMode;
  /** A video of each job attempt's pages (see {@link RECORD_VIDEO_MODES}). @defaultValue `off` */
  recordVideo: RecordVideoMode;
  /** Origins besides the master's own whose pages may open a cookie-authenticated `/client` socket. @defaultValue none */
  allowedOrigins: string[];
}

export function loadConfig(env: Env = process.env): FleetConfig {
  return {
    masterUrl: readMasterUrls(env)[0]!,
    masterUrls: readMasterUrls(env),
    workerId: readWorkerId(env),
    workerToken: readVar(env, 'FLEET_WORKER_TOKEN')?.value,
    apiToken: readVar(env, 'FLEET_API_TOKEN')?.value,
    secretKey: readSecretKey(env),
    dataDir: path.resolve(readVar(env, 'FLEET_DATA_DIR', 'DATA_DIR')?.value ?? 'data'),
    maxAccounts: readInt(env, 'FLEET_MAX_ACCOUNTS', 20, { min: 1, max: 10_000 }, 'MAX_ACCOUNTS'),
    maxConcurrency: readInt(env, 'FLEET_MAX_CONCURRENCY', 4, { min: 1, max: 1_000 }),
    maxLiveContexts: readInt(env, 'FLEET_MAX_LIVE_CONTEXTS', 10, { min: 1, max: 10_000 }),
    headless: readBool(env, 'FLEET_HEADLESS', true, 'HEADLESS'),
    redisUrl: readUrl(env, 'FLEET_REDIS_URL', ['redis:', 'rediss:']),
    chromiumPath: readVar(env, 'FLEET_CHROMIUM_PATH')?.value,
    chromiumSandbox: readBool(env, 'FLEET_CHROMIUM_SANDBOX', true),
    browserCdpUrl: readUrl(env, 'FLEET_BROWSER_CDP_URL', ['http:', 'https:', 'ws:', 'wss:']),
    browserLauncherUrl: readUrl(env, 'FLEET_BROWSER_LAUNCHER_URL', ['http:', 'https:']),
    logLevel: readEnum(env, 'FLEET_LOG_LEVEL', LOG_LEVELS, 'info', 'LOG_LEVEL'),
    port: readInt(env, 'PORT', 3000, { min: 0, max: 65_535 }),
    heartbeatIntervalMs: readInt(env, 'FLEET_HEARTBEAT_INTERVAL_MS', 10_000, { min: 100, max: 600_000 }),
    trace: readEnum(env, 'FLEET_TRACE', TRACE_MODES, 'full-on-retry'),
    recordVideo: readEnum(env, 'FLEET_RECORD_VIDEO', RECORD_VIDEO_MODES, 'off'),
    allowedOrigins: readOrigins(env, 'FLEET_ALLOWED_ORIGINS'),
  };
}

/** `FLEET_MASTER_URL`, one URL or several comma-separated (masters sharing one database). */
function readMasterUrls(env: Env): string[] {
  const found = readVar(env, 'FLEET_MASTER_URL');
  if (!found?.value.includes(',')) return [readMasterUrl(env)];
  return found.value.split(',').map((entry) => {
    const value = entry.trim();
    let url: URL | undefined;
    try {
      url = new URL(value);
    } catch {
      // named below
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:'))
      throw configError(found.name, 'must be one URL or several comma-separated, each starting with http:// or https://', found.value);
    return value.replace(/\/+$/, '');
  });
}

function readMasterUrl(env: Env): string {
  const url = readUrl(env, 'FLEET_MASTER_URL', ['http:', 'https:']);
  if (url) return url.replace(/\/+$/, '');
  const host = readVar(env, 'MASTER_HOST');
  if (host && !/^[A-Za-z0-9.-]+$|^\[[0-9a-fA-F:]+\]$/.test(host.value))
    throw configError('MASTER_HOST', 'must be a host name or address (no scheme, port or credentials)');
  const port = readInt(env, 'MASTER_PORT', 3000, { min: 1, max: 65_535 });
  return `http://${host?.value ?? '127.0.0.1'}:${port}`;
}

/** A comma-separated list of origins (`scheme://host[:port]`, nothing else). */
function readOrigins(env: Env, name: string): string[] {
  const found = readVar(env, name);
  if (!found) return [];
  return found.value
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0)
    .map((part) => {
      let url: URL | undefined;
      try {
        url = new URL(part);
      } catch {
        url = undefined;
      }
      const originOnly = url && url.pathname === '/' && !url.search && !url.hash && !url.username && !url.password;
      if (!url || !originOnly || !['http:', 'https:'].includes(url.protocol)) {
        throw configError(name, 'must be comma-separated origins like https://ops.example.com (scheme, host and port only)', part);
      }
      return url.origin;
    });
}

function readWorkerId(env: Env): string {
  const found = readVar(env, 'FLEET_WORKER_ID', 'WORKER_ID');
  if (!found) return os.hostname().replace(/[^A-Za-z0-9_.:-]/g, '-') || 'worker';
  if (!/^[A-Za-z0-9_.:-]{1,128}$/.test(found.value)) throw configError(found.name, 'must be 1-128 letters, digits, _ . : or -', found.value);
  return found.value;
}

function readSecretKey(env: Env): Buffer | undefined {
  const found = readVar(env, 'FLEET_SECRET_KEY');
  if (!found) return undefined;
  const key = parseSecretKey(found.value);
  if (!key) throw configError('FLEET_SECRET_KEY', 'must be 32 bytes as 64 hex characters or base64');
  return key;
}
