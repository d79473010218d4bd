import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FleetError, loadConfig, loadOrExit, readDatabaseUrl, type Env } from '@fleetwright/shared';

const HEX_KEY = 'ab'.repeat(32);

/** Runs `loadConfig(env)` and returns the FleetError it throws (fails the test when it does not throw). */
function configErrorOf(env: Env): FleetError {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(FleetError);
    return error as FleetError;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('loadConfig defaults', () => {
  it('fills every setting with its documented default when the environment is empty', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      masterUrl: 'http://127.0.0.1:3000',
      workerToken: undefined,
      apiToken: undefined,
      secretKey: undefined,
      dataDir: path.resolve('data'),
      maxAccounts: 20,
      maxConcurrency: 4,
      maxLiveContexts: 10,
      headless: true,
      redisUrl: undefined,
      chromiumPath: undefined,
      logLevel: 'info',
      port: 3000,
      heartbeatIntervalMs: 10_000,
      trace: 'full-on-retry',
    });
  });

  it('uses the host name, made safe for an id, as the worker id by default', () => {
    const { workerId } = loadConfig({});
    expect(workerId).toMatch(/^[A-Za-z0-9_.:-]+$/);
    expect(workerId).toBe(os.hostname().replace(/[^A-Za-z0-9_.:-]/g, '-') || 'worker');
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ FLEET_MAX_CONCURRENCY: '', PORT: '' })).toMatchObject({ maxConcurrency: 4, port: 3000 });
  });
});

describe('loadConfig FLEET_* variables', () => {
  it('reads every FLEET_* variable and PORT', () => {
    const config = loadConfig({
      FLEET_MASTER_URL: 'https://master.example:8443/',
      FLEET_WORKER_ID: 'w-1.eu:a_b',
      FLEET_WORKER_TOKEN: 'worker-token',
      FLEET_API_TOKEN: 'api-token',
      FLEET_SECRET_KEY: HEX_KEY,
      FLEET_DATA_DIR: '/srv/fleet-data',
      FLEET_MAX_ACCOUNTS: '50',
      FLEET_MAX_CONCURRENCY: '8',
      FLEET_MAX_LIVE_CONTEXTS: '12',
      FLEET_HEADLESS: 'false',
      FLEET_REDIS_URL: 'rediss://redis.example:6380/2',
      FLEET_CHROMIUM_PATH: '/opt/chromium/chrome',
      FLEET_CHROMIUM_SANDBOX: 'false',
      FLEET_LOG_LEVEL: 'debug',
      FLEET_HEARTBEAT_INTERVAL_MS: '2500',
      FLEET_TRACE: 'full',
      FLEET_RECORD_VIDEO: 'on-failure',
      FLEET_ALLOWED_ORIGINS: 'https://ops.example.com, http://127.0.0.1:8080',
      PORT: '0',
    });
    expect(config).toEqual({
      masterUrl: 'https://master.example:8443',
      masterUrls: ['https://master.example:8443'],
      workerId: 'w-1.eu:a_b',
      workerToken: 'worker-token',
      apiToken: 'api-token',
      secretKey: Buffer.from(HEX_KEY, 'hex'),
      dataDir: '/srv/fleet-data',
      maxAccounts: 50,
      maxConcurrency: 8,
      maxLiveContexts: 12,
      headless: false,
      redisUrl: 'rediss://redis.example:6380/2',
      chromiumPath: '/opt/chromium/chrome',
      chromiumSandbox: false,
      logLevel: 'debug',
      port: 0,
      heartbeatIntervalMs: 2500,
      trace: 'full',
      recordVideo: 'on-failure',
      allowedOrigins: ['https://ops.example.com', 'http://127.0.0.1:8080'],
    });
  });

  it.each(['ops.example.com', 'https://ops.example.com/path', 'https://user:pw@ops.example.com', 'ftp://ops.example.com'])(
    'refuses FLEET_ALLOWED_ORIGINS=%s naming the variable',
    (value) => {
      expect(() => loadConfig({ FLEET_ALLOWED_ORIGINS: value })).toThrow(/FLEET_ALLOWED_ORIGINS/);
    },
  );

  it('resolves a relative FLEET_DATA_DIR against the working directory', () => {
    expect(loadConfig({ FLEET_DATA_DIR: 'var/fleet' }).dataDir).toBe(path.resolve('var/fleet'));
  });

  it.each([
    ['1', true],
    ['yes', true],
    ['ON', true],
    ['0', false],
    ['no', false],
    ['Off', false],
  ])('reads FLEET_HEADLESS=%s as %s', (raw, expected) => {
    expect(loadConfig({ FLEET_HEADLESS: raw }).headless).toBe(expected);
  });

  it.each(['full-on-retry', 'full', 'off'])('reads FLEET_TRACE=%s', (mode) => {
    expect(loadConfig({ FLEET_TRACE: mode }).trace).toBe(mode);
  });

  it('reads FLEET_LOG_LEVEL case-insensitively', () => {
    expect(loadConfig({ FLEET_LOG_LEVEL: 'WARN' }).logLevel).toBe('warn');
  });

  it('accepts a base64 FLEET_SECRET_KEY of 32 bytes', () => {
    const key = Buffer.alloc(32, 9);
    expect(loadConfig({ FLEET_SECRET_KEY: key.toString('base64') }).secretKey).toEqual(key);
  });
});

describe('loadConfig seed-era aliases', () => {
  it('accepts WORKER_ID, MASTER_HOST, MASTER_PORT, MAX_ACCOUNTS, HEADLESS, DATA_DIR and LOG_LEVEL', () => {
    const config = loadConfig({
      WORKER_ID: 'legacy-worker',
      MASTER_HOST: 'master.lan',
      MASTER_PORT: '4000',
      MAX_ACCOUNTS: '7',
      HEADLESS: 'false',
      DATA_DIR: '/srv/legacy',
      LOG_LEVEL: 'warn',
    });
    expect(config).toMatchObject({
      workerId: 'legacy-worker',
      masterUrl: 'http://master.lan:4000',
      maxAccounts: 7,
      headless: false,
      dataDir: '/srv/legacy',
      logLevel: 'warn',
    });
  });

  it('accepts a bracketed IPv6 MASTER_HOST', () => {
    expect(loadConfig({ MASTER_HOST: '[::1]', MASTER_PORT: '3100' }).masterUrl).toBe('http://[::1]:3100');
  });

  it('lets the FLEET_* name win when both it and its alias are set', () => {
    const config = loadConfig({
      FLEET_WORKER_ID: 'new-id',
      WORKER_ID: 'old-id',
      FLEET_MASTER_URL: 'http://new-master:5000',
      MASTER_HOST: 'old-master',
      MASTER_PORT: '4000',
      FLEET_MAX_ACCOUNTS: '30',
      MAX_ACCOUNTS: '3',
      FLEET_HEADLESS: 'true',
      HEADLESS: 'false',
      FLEET_DATA_DIR: '/srv/new',
      DATA_DIR: '/srv/old',
      FLEET_LOG_LEVEL: 'error',
      LOG_LEVEL: 'debug',
    });
    expect(config).toMatchObject({
      workerId: 'new-id',
      masterUrl: 'http://new-master:5000',
      maxAccounts: 30,
      headless: true,
      dataDir: '/srv/new',
      logLevel: 'error',
    });
  });

  it('ignores a bad alias value when the FLEET_* name is set', () => {
    expect(loadConfig({ FLEET_MAX_ACCOUNTS: '5', MAX_ACCOUNTS: 'lots', FLEET_HEADLESS: 'no', HEADLESS: 'maybe' })).toMatchObject({
      maxAccounts: 5,
      headless: false,
    });
  });
});

describe('loadConfig bad values', () => {
  it.each([
    [{ FLEET_MAX_CONCURRENCY: 'abc' }, 'FLEET_MAX_CONCURRENCY'],
    [{ FLEET_MAX_CONCURRENCY: '0' }, 'FLEET_MAX_CONCURRENCY'],
    [{ FLEET_MAX_CONCURRENCY: '-3' }, 'FLEET_MAX_CONCURRENCY'],
    [{ FLEET_MAX_ACCOUNTS: '1.5' }, 'FLEET_MAX_ACCOUNTS'],
    [{ MAX_ACCOUNTS: 'many' }, 'MAX_ACCOUNTS'],
    [{ FLEET_MAX_LIVE_CONTEXTS: '10001' }, 'FLEET_MAX_LIVE_CONTEXTS'],
    [{ FLEET_HEADLESS: 'maybe' }, 'FLEET_HEADLESS'],
    [{ HEADLESS: 'maybe' }, 'HEADLESS'],
    [{ FLEET_LOG_LEVEL: 'loud' }, 'FLEET_LOG_LEVEL'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ FLEET_WORKER_ID: 'has space' }, 'FLEET_WORKER_ID'],
    [{ WORKER_ID: 'bad/id' }, 'WORKER_ID'],
    [{ FLEET_MASTER_URL: 'ws://master:3000' }, 'FLEET_MASTER_URL'],
    [{ FLEET_MASTER_URL: 'not a url' }, 'FLEET_MASTER_URL'],
    [{ MASTER_HOST: 'bad host!' }, 'MASTER_HOST'],
    [{ MASTER_PORT: '0' }, 'MASTER_PORT'],
    [{ FLEET_REDIS_URL: 'http://x' }, 'FLEET_REDIS_URL'],
    [{ FLEET_SECRET_KEY: 'short' }, 'FLEET_SECRET_KEY'],
    [{ FLEET_SECRET_KEY: 'ab'.repeat(31) }, 'FLEET_SECRET_KEY'],
    [{ PORT: '70000' }, 'PORT'],
    [{ FLEET_HEARTBEAT_INTERVAL_MS: '50' }, 'FLEET_HEARTBEAT_INTERVAL_MS'],
    [{ FLEET_TRACE: 'retain-on-failure' }, 'FLEET_TRACE'],
  ] as Array<[Env, string]>)('refuses %j with CONFIG_INVALID naming %s', (env, variable) => {
    const error = configErrorOf(env);
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.field).toBe(variable);
    expect(error.message.startsWith(`${variable} `)).toBe(true);
    expect(error.message).not.toContain('\n');
  });

  it('names the alias, not the FLEET_* name, when the alias carried the bad value', () => {
    const error = configErrorOf({ HEADLESS: 'maybe' });
    expect(error.message).toMatch(/^HEADLESS must be true or false/);
    expect(error.message).not.toContain('FLEET_HEADLESS');
  });

  it('echoes a bad plain value so the operator sees what was read', () => {
    expect(configErrorOf({ FLEET_MAX_CONCURRENCY: 'abc' }).message).toContain('"abc"');
  });

  it('never echoes a URL value, which may carry a password', () => {
    const wrongScheme = configErrorOf({ FLEET_REDIS_URL: 'http://admin:hunter2-redis@redis.internal:6379' });
    expect(wrongScheme.field).toBe('FLEET_REDIS_URL');
    expect(wrongScheme.message).not.toContain('hunter2-redis');
    expect(wrongScheme.message).not.toContain('redis.internal');

    const unparsable = configErrorOf({ FLEET_MASTER_URL: 'https//admin:hunter2-master@master' });
    expect(unparsable.field).toBe('FLEET_MASTER_URL');
    expect(unparsable.message).not.toContain('hunter2-master');
  });

  it('never echoes a bad FLEET_SECRET_KEY', () => {
    const error = configErrorOf({ FLEET_SECRET_KEY: 'not-the-real-key-but-secret' });
    expect(error.message).not.toContain('not-the-real-key-but-secret');
  });
});

describe('loadOrExit in-process', () => {
  it('returns what the loader returns', () => {
    expect(loadOrExit(() => 42, 'fleet-test')).toBe(42);
  });

  it('rethrows an error that is not a configuration error', () => {
    const boom = new FleetError('INTERNAL_ERROR', 'boom');
    expect(() =>
      loadOrExit(() => {
        throw boom;
      }, 'fleet-test'),
    ).toThrow(boom);
  });
});

describe('FLEET_DATABASE_URL', () => {
  it('is undefined when unset or empty (SQLite in the data dir), and the URL when it is a postgres:// URL', () => {
    expect(readDatabaseUrl({})).toBeUndefined();
    expect(readDatabaseUrl({ FLEET_DATABASE_URL: '  ' })).toBeUndefined();
    expect(readDatabaseUrl({ FLEET_DATABASE_URL: 'postgres://fleet:pw@db.internal:5432/fleet' })).toBe('postgres://fleet:pw@db.internal:5432/fleet');
    expect(readDatabaseUrl({ FLEET_DATABASE_URL: 'postgresql://fleet@10.0.0.5/fleet?sslmode=require' })).toBe(
      'postgresql://fleet@10.0.0.5/fleet?sslmode=require',
    );
  });

  it.each([
    ['not a url', /must be a postgres:\/\/ URL/],
    ['mysql://u:pw@h/db', /not mysql:\/\//],
    ['postgres:///fleet', /names no host/],
  ])('refuses %s naming the variable, without echoing a password', (value, message) => {
    const error = (() => {
      try {
        readDatabaseUrl({ FLEET_DATABASE_URL: value });
      } catch (e) {
        return e as FleetError;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(FleetError);
    expect(error).toMatchObject({ code: 'CONFIG_INVALID', field: 'FLEET_DATABASE_URL' });
    expect(error!.message).toMatch(message);
    expect(error!.message).not.toContain('pw');
  });
});

describe('FLEET_MASTER_URL with several masters', () => {
  it('reads a comma-separated list, the first as masterUrl, trailing slashes dropped', () => {
    const config = loadConfig({ FLEET_MASTER_URL: 'http://m1:3000/, https://m2.example ' });
    expect(config.masterUrls).toEqual(['http://m1:3000', 'https://m2.example']);
    expect(config.masterUrl).toBe('http://m1:3000');
  });

  it('refuses a list with an entry that is not an http(s) URL, naming the variable', () => {
    expect(() => loadConfig({ FLEET_MASTER_URL: 'http://m1:3000,ftp://m2' })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID', field: 'FLEET_MASTER_URL' }),
    );
    expect(() => loadConfig({ FLEET_MASTER_URL: 'http://m1:3000,' })).toThrow(/FLEET_MASTER_URL/);
  });
});
