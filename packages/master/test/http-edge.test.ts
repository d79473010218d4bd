import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { type FleetError, loadMasterEdgeConfig } from '@fleetwright/shared';
import { MasterFixture } from './support/master-fixture.js';
import { waitUntil } from './support/wait-until.js';

describe('security headers on every response', () => {
  let fx: MasterFixture;
  afterEach(async () => {
    await fx?.close();
  });

  it('sends CSP (no framing), X-Frame-Options, nosniff and Referrer-Policy on pages, API answers, errors and metrics', async () => {
    fx = await MasterFixture.start();
    for (const [route, token] of [
      ['/', null],
      ['/health', null],
      ['/metrics', null],
      ['/api/v1/jobs', fx.apiToken],
      ['/api/v1/jobs', null],
      ['/api/v1/nope', fx.apiToken],
    ] as const) {
      const res = await fetch(`${fx.url}${route}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp, route).toContain("frame-ancestors 'none'");
      expect(csp, route).toContain("script-src 'self'");
      expect(csp, route).toContain("default-src 'self'");
      expect(res.headers.get('x-frame-options'), route).toBe('DENY');
      expect(res.headers.get('x-content-type-options'), route).toBe('nosniff');
      expect(res.headers.get('referrer-policy'), route).toBe('no-referrer');
    }
  });
});

describe('FLEET_TRUST_PROXY: a Secure session cookie behind a TLS proxy', () => {
  let fx: MasterFixture;
  afterEach(async () => {
    await fx?.close();
  });

  async function signIn(forwardedProto?: string): Promise<string> {
    const res = await fetch(`${fx.url}/api/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(forwardedProto ? { 'x-forwarded-proto': forwardedProto } : {}) },
      body: JSON.stringify({ token: fx.apiToken }),
    });
    expect(res.status).toBe(200);
    return res.headers.get('set-cookie') ?? '';
  }

  it('marks the cookie Secure when a trusted proxy says the browser came over https', async () => {
    fx = await MasterFixture.start({ trustProxy: ['loopback'] });
    expect(await signIn('https')).toMatch(/;\s*Secure/i);
    expect(await signIn()).not.toMatch(/;\s*Secure/i);
  });

  it('ignores X-Forwarded-Proto by default (no proxy trusted): anyone could send it', async () => {
    fx = await MasterFixture.start();
    expect(await signIn('https')).not.toMatch(/;\s*Secure/i);
  });

  it('reads false, true, hop counts and address lists, and refuses anything else naming the variable', () => {
    expect(loadMasterEdgeConfig({}).trustProxy).toBe(false);
    expect(loadMasterEdgeConfig({ FLEET_TRUST_PROXY: 'false' }).trustProxy).toBe(false);
    expect(loadMasterEdgeConfig({ FLEET_TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadMasterEdgeConfig({ FLEET_TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadMasterEdgeConfig({ FLEET_TRUST_PROXY: 'loopback, 10.0.0.0/8,fd00::1' }).trustProxy).toEqual(['loopback', '10.0.0.0/8', 'fd00::1']);
    for (const bad of ['proxy.example', '10.0.0.0/33', 'loopback,', '1.2.3.4/8/9']) {
      expect(() => loadMasterEdgeConfig({ FLEET_TRUST_PROXY: bad }), bad).toThrow(
        expect.objectContaining({ code: 'CONFIG_INVALID', field: 'FLEET_TRUST_PROXY' }) as FleetError,
      );
    }
  });
});

describe('FLEET_METRICS_TOKEN', () => {
  let fx: MasterFixture;
  afterEach(async () => {
    await fx?.close();
  });

  it('guards /metrics with the bearer token when set; /health stays public', async () => {
    fx = await MasterFixture.start({ metricsToken: 'scrape-secret-1' });
    expect((await fetch(`${fx.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${fx.url}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await fetch(`${fx.url}/metrics`, { headers: { authorization: `Bearer ${fx.apiToken}` } })).status).toBe(401);
    const ok = await fetch(`${fx.url}/metrics`, { headers: { authorization: 'Bearer scrape-secret-1' } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('fleet_workers');
    expect((await fx.health()).status).toBe(200);
  });

  it('reads FLEET_METRICS_TOKEN from the environment', () => {
    expect(loadMasterEdgeConfig({ FLEET_METRICS_TOKEN: 'abc' }).metricsToken).toBe('abc');
    expect(loadMasterEdgeConfig({}).metricsToken).toBeUndefined();
  });
});

const CLI_MAIN = fileURLToPath(new URL('../../cli/dist/main.js', import.meta.url));

describe('FLEET_BIND: the master listens where it is told', () => {
  let child: ChildProcess | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    if (child && child.exitCode === null) {
      await new Promise<void>((resolve) => {
        child!.once('exit', () => resolve());
        child!.kill('SIGKILL');
      });
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
    child = undefined;
    dir = undefined;
  });

  function startMaster(env: Record<string, string>): { output: () => string } {
    dir = mkdtempSync(path.join(os.tmpdir(), 'fleet-bind-'));
    let output = '';
    child = spawn(process.execPath, [CLI_MAIN, 'master'], {
      env: {
        PATH: process.env.PATH,
        FLEET_DATA_DIR: dir,
        FLEET_WORKER_TOKEN: 'fww_bind',
        FLEET_API_TOKEN: 'fwa_bind',
        FLEET_SECRET_KEY: randomBytes(32).toString('hex'),
        FLEET_LOG_LEVEL: 'warn',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    return { output: () => output };
  }

  const answers = (url: string): Promise<boolean> =>
    fetch(url, { signal: AbortSignal.timeout(1_000) }).then(
      (r) => r.ok,
      () => false,
    );

  it('binds only the address given (127.0.0.2 answers, 127.0.0.1 does not)', async () => {
    const run = startMaster({ FLEET_BIND: '127.0.0.2', PORT: '0', FLEET_LOG_LEVEL: 'info' });
    // Port 0: the master logs the address it got.
    const port = await waitUntil(
      `the master to listen (${run.output()})`,
      () => /master listening.*http:\/\/127\.0\.0\.2:(\d+)/.exec(run.output())?.[1],
      15_000,
      50,
    );
    expect(await answers(`http://127.0.0.2:${port}/health`)).toBe(true);
    expect(await answers(`http://127.0.0.1:${port}/health`)).toBe(false);
  });

  it('refuses a bad FLEET_BIND at start with one line naming it', async () => {
    const run = startMaster({ FLEET_BIND: 'every-interface', PORT: '0' });
    const code = await new Promise<number | string | null>((resolve) => {
      setTimeout(() => resolve('still running after 10 s'), 10_000).unref();
      child!.once('exit', (c) => resolve(c));
    });
    expect(code).toBe(78);
    expect(run.output()).toMatch(/invalid configuration: FLEET_BIND must be an IP address/);
  });

  it('reads addresses and localhost, nothing else', () => {
    expect(loadMasterEdgeConfig({}).bind).toBeUndefined();
    expect(loadMasterEdgeConfig({ FLEET_BIND: '0.0.0.0' }).bind).toBe('0.0.0.0');
    expect(loadMasterEdgeConfig({ FLEET_BIND: '::1' }).bind).toBe('::1');
    expect(loadMasterEdgeConfig({ FLEET_BIND: 'localhost' }).bind).toBe('localhost');
    expect(() => loadMasterEdgeConfig({ FLEET_BIND: '127.0.0.1:3000' })).toThrow(expect.objectContaining({ field: 'FLEET_BIND' }) as FleetError);
  });
});
