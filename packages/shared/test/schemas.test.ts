import { fleetErrorOf } from './support/fleet-error-of.js';
import { describe, expect, it } from 'vitest';
import { CreateAccountBodySchema, CreateJobBodySchema, WorkerJobResultSchema, maskProxyUrl, parseOrThrow, parseProxyUrl } from '@fleetwright/shared';

/** Calls `fn` and returns the FleetError it throws. */

describe('CreateAccountBodySchema', () => {
  it('accepts a full account with a proxy that has credentials', () => {
    const body = {
      platform: 'sandbox',
      label: 'Alice',
      tags: ['pool-a', 'eu'],
      credentials: { username: 'alice', password: 'hunter2' },
      proxy: 'socks5://pu:pp@proxy.local:1080',
    };
    expect(CreateAccountBodySchema.parse(body)).toEqual(body);
  });

  it('refuses a key it does not know, and names it', () => {
    const error = fleetErrorOf(() => parseOrThrow(CreateAccountBodySchema, { platform: 'sandbox', owner: 'me' }));
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.message).toContain('owner');
  });

  it.each([
    ['a scheme that is not http, https or socks5', 'ftp://u:pw-secret-1@proxy:21'],
    ['no port', 'http://u:pw-secret-1@proxy'],
    ['a path', 'http://u:pw-secret-1@proxy:8080/path'],
    ['no URL at all', 'u:pw-secret-1 proxy 8080'],
  ])('refuses a proxy with %s, naming the field proxy without echoing the password', (_label, proxy) => {
    const error = fleetErrorOf(() => parseOrThrow(CreateAccountBodySchema, { platform: 'sandbox', proxy }));
    expect(error.field).toBe('proxy');
    expect(error.message).toMatch(/^proxy: /);
    expect(error.message).not.toContain('pw-secret-1');
  });

  it('refuses an upper-case platform name', () => {
    expect(fleetErrorOf(() => parseOrThrow(CreateAccountBodySchema, { platform: 'Sandbox' })).field).toBe('platform');
  });
});

describe('parseProxyUrl and maskProxyUrl', () => {
  it('splits a proxy URL into the server Playwright wants and decoded credentials', () => {
    expect(parseProxyUrl('http://us%40er:p%3Ass%2Fword@10.0.0.5:3128')).toEqual({ server: 'http://10.0.0.5:3128', username: 'us@er', password: 'p:ss/word' });
    expect(parseProxyUrl('https://proxy.example:8443')).toEqual({ server: 'https://proxy.example:8443' });
  });

  it('returns a message instead of throwing for a bad proxy', () => {
    expect(parseProxyUrl('nonsense')).toBe('must be a URL like http://user:pass@host:port');
    expect(parseProxyUrl('ftp://h:21')).toMatch(/^scheme must be one of/);
  });

  it('accepts a proxy on its scheme’s default port', () => {
    expect(parseProxyUrl('http://u:p@proxy.local:80')).toEqual({ server: 'http://proxy.local:80', username: 'u', password: 'p' });
  });

  it('masks the password and keeps user, host and port', () => {
    expect(maskProxyUrl('http://bob:hunter2@proxy.local:8080')).toBe('http://bob:****@proxy.local:8080');
    expect(maskProxyUrl('socks5://us%40er:p%40ss@proxy.local:1080')).toBe('socks5://us%40er:****@proxy.local:1080');
    expect(maskProxyUrl('https://proxy.local:8443')).toBe('https://proxy.local:8443');
  });

  it.each([
    'http://bob:hunter2-pw@proxy.local:8080',
    'http://:hunter2-pw@proxy.local:8080',
    'ftp://bob:hunter2-pw@proxy.local:21',
    'http://bob:hunter2-pw@proxy.local',
    'http://bob:hunter2-pw@proxy.local:8080/path?q=1',
    'hunter2-pw',
    'http://bob:hunter2%2Dpw@proxy.local:8080',
  ])('never leaves the password in the masked form of %s', (value) => {
    const masked = maskProxyUrl(value);
    expect(masked).not.toContain('hunter2');
  });
});

describe('CreateJobBodySchema', () => {
  it('accepts a job for an account and a job for a pool', () => {
    expect(CreateJobBodySchema.parse({ type: 'login', accountId: 'acct-1' })).toEqual({ type: 'login', accountId: 'acct-1' });
    expect(CreateJobBodySchema.parse({ type: 'crawl', pool: 'eu', payload: { depth: 2 }, priority: 5, runAfter: '2030-01-01T00:00:00+02:00' })).toMatchObject({
      pool: 'eu',
    });
  });

  it('requires accountId or pool, naming accountId', () => {
    const error = fleetErrorOf(() => parseOrThrow(CreateJobBodySchema, { type: 'login' }));
    expect(error.field).toBe('accountId');
    expect(error.message).toContain('either accountId or pool');
  });

  it('refuses accountId and pool together, naming pool', () => {
    const error = fleetErrorOf(() => parseOrThrow(CreateJobBodySchema, { type: 'login', accountId: 'acct-1', pool: 'eu' }));
    expect(error.field).toBe('pool');
    expect(error.message).toContain('not both');
  });

  it('refuses unknown keys and bad values', () => {
    expect(CreateJobBodySchema.safeParse({ type: 'login', accountId: 'a', extra: 1 }).success).toBe(false);
    expect(fleetErrorOf(() => parseOrThrow(CreateJobBodySchema, { type: 'Login!', accountId: 'a' })).field).toBe('type');
    expect(fleetErrorOf(() => parseOrThrow(CreateJobBodySchema, { type: 'login', accountId: 'a', maxAttempts: 0 })).field).toBe('maxAttempts');
    expect(fleetErrorOf(() => parseOrThrow(CreateJobBodySchema, { type: 'login', accountId: 'a', runAfter: 'tomorrow' })).field).toBe('runAfter');
  });
});

describe('WorkerJobResultSchema', () => {
  const base = { jobId: 'job-1', accountId: 'acct-1', epoch: 3, attempt: 1 };

  it('accepts each status with its own fields', () => {
    expect(WorkerJobResultSchema.parse({ ...base, status: 'succeeded', result: { posted: 2 } })).toEqual({
      ...base,
      status: 'succeeded',
      result: { posted: 2 },
    });
    expect(WorkerJobResultSchema.parse({ ...base, status: 'failed', error: { code: 'TIMEOUT', message: 'slow' } })).toMatchObject({
      status: 'failed',
      error: { code: 'TIMEOUT' },
    });
    expect(WorkerJobResultSchema.parse({ ...base, status: 'cancelled' })).toEqual({ ...base, status: 'cancelled' });
  });

  it('requires an error on a failed result', () => {
    expect(fleetErrorOf(() => parseOrThrow(WorkerJobResultSchema, { ...base, status: 'failed' })).field).toBe('error');
  });

  it('refuses a status outside the union, naming status', () => {
    expect(fleetErrorOf(() => parseOrThrow(WorkerJobResultSchema, { ...base, status: 'running' })).field).toBe('status');
  });

  it('refuses a report without its epoch', () => {
    expect(fleetErrorOf(() => parseOrThrow(WorkerJobResultSchema, { jobId: 'job-1', accountId: 'acct-1', status: 'succeeded' })).field).toBe('epoch');
  });

  it('narrows the type by status', () => {
    const parsed = WorkerJobResultSchema.parse({ ...base, status: 'failed', error: { code: 'AUTH_FAILED', message: 'bad password' } });
    if (parsed.status !== 'failed') throw new Error('expected a failed result');
    expect(parsed.error.code).toBe('AUTH_FAILED');
  });
});
