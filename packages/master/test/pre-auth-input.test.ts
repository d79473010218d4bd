import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { io } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { Namespace } from '@fleetwright/shared';
import { readCookie } from '../src/http/auth.js';
import { MasterProcess } from './support/master-process.js';
import { MasterFixture } from './support/master-fixture.js';

/** Not valid percent-encoding: `decodeURIComponent` throws a URIError on it. */
const BAD_COOKIE = 'fleet_session=%E0%A4%A';

describe('pre-auth input: a bad cookie is no cookie, never a crash', () => {
  let master: MasterProcess | undefined;
  afterEach(async () => {
    await master?.close();
    master = undefined;
  });

  it('reads a cookie that is not valid percent-encoding as no cookie', () => {
    expect(readCookie(BAD_COOKIE, 'fleet_session')).toBeUndefined();
    expect(readCookie('a=1; fleet_session=fwa%5Fok', 'fleet_session')).toBe('fwa_ok');
    expect(readCookie(undefined, 'fleet_session')).toBeUndefined();
  });

  it('refuses a /client handshake with a malformed session cookie, and the master process keeps serving', async () => {
    master = await MasterProcess.create();
    await master.start();
    for (let i = 0; i < 3; i++) {
      const socket = io(`${master.url}${Namespace.Client}`, {
        transports: ['websocket'],
        extraHeaders: { cookie: BAD_COOKIE },
        reconnection: false,
        forceNew: true,
      });
      const outcome = await new Promise<unknown>((resolve) => {
        setTimeout(() => resolve(`no answer (master ${master!.child?.exitCode === null ? 'running' : 'exited'})`), 5_000).unref();
        socket.once('connect', () => resolve('connected'));
        socket.once('connect_error', (error: Error & { data?: unknown }) => resolve(error.data ?? error.message));
      });
      socket.disconnect();
      expect(outcome).toMatchObject({ code: 'UNAUTHORIZED' });
    }
    expect(master.child?.exitCode).toBeNull();
    const health = await fetch(`${master.url}/health`);
    expect(health.status).toBe(200);
  });

  it('answers a REST request with a malformed session cookie 401 UNAUTHORIZED (not a 500)', async () => {
    master = await MasterProcess.create();
    await master.start();
    const res = await fetch(`${master.url}/api/v1/jobs`, { headers: { cookie: BAD_COOKIE } });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: 'UNAUTHORIZED' });
  });
});

const SHARED = fileURLToPath(new URL('../../shared/dist/index.js', import.meta.url));

/** Runs a tiny process that installs the shared handler, then does `body`; resolves with its output and exit code. */
function runWithHandler(body: string): Promise<{ code: number | null; output: string }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fleet-process-failures-'));
  const script = `
    const { createLogger, logProcessFailures, registerSecret } = await import(${JSON.stringify(SHARED)});
    const logger = createLogger({ name: 'probe', colors: false, dir: ${JSON.stringify(dir)} });
    logProcessFailures('probe', logger);
    registerSecret('hunter2-very-secret');
    ${body}`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  return new Promise((resolve) => {
    child.on('exit', (code) => {
      rmSync(dir, { recursive: true, force: true });
      resolve({ code, output });
    });
  });
}

describe('process-level failures are logged, redacted', () => {
  it('logs an unhandled rejection and keeps running', async () => {
    const { code, output } = await runWithHandler(`
      Promise.reject(new Error('refused with hunter2-very-secret'));
      setTimeout(() => { console.log('still running'); logger.end(); }, 200);`);
    expect(output).toContain('unhandled promise rejection');
    expect(output).toContain('still running');
    expect(output).not.toContain('hunter2-very-secret');
    expect(code).toBe(0);
  });

  it('logs an uncaught exception, then exits non-zero', async () => {
    const { code, output } = await runWithHandler(`
      setTimeout(() => { throw new Error('thrown with hunter2-very-secret'); }, 10);
      setTimeout(() => console.log('should not run'), 5000);`);
    expect(output).toContain('uncaught exception');
    expect(output).toContain('thrown with [redacted]');
    expect(output).not.toContain('hunter2-very-secret');
    expect(output).not.toContain('should not run');
    expect(code).toBe(70);
  });
});

describe("malformed paths and bodies are the client's mistake", () => {
  let fx: MasterFixture | undefined;
  afterEach(async () => {
    await fx?.close();
  });

  it('answers a path parameter that is not valid percent-encoding with 400 naming path, and a body over the limit with 413 TOO_LARGE', async () => {
    fx = await MasterFixture.start();
    for (const route of ['/accounts/%E0%A4%A', '/monitors/%ED%A0%80', '/jobs/%']) {
      const res = await fx.api('GET', route);
      expect(res, route).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED', field: 'path' } });
    }
    const big = await fx.api('POST', '/accounts', JSON.stringify({ platform: 'sandbox', label: 'x'.repeat(3 * 1024 * 1024) }));
    expect(big).toMatchObject({ status: 413, body: { code: 'TOO_LARGE', field: 'body' } });
  });
});
