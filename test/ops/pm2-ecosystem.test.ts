import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { SandboxServer } from '@fleetwright/sandbox';
import { freePort } from '../support/free-port.js';
import { processesMentioning } from '../support/processes.js';
import { decodeQrDataUrl } from '../support/qr-decode.js';
import { makeTempDir } from '../support/temp-dir.js';
import { waitFor } from '../support/wait-for.js';
import { descendantsOf } from './process-tree.js';

const run = promisify(execFile);
const PM2 = path.resolve('node_modules/pm2/bin/pm2');
/** Short, so a drain that runs out does so quickly; kill_timeout follows it. */
const DRAIN_MS = 3000;

interface Pm2App {
  name: string;
  pid: number;
  pm2_env: { status: string; kill_timeout: number; restart_time: number; env: Record<string, string> };
}

describe('PM2 ecosystem.config.js', () => {
  let temp: ReturnType<typeof makeTempDir> | undefined;
  let sandbox: SandboxServer | undefined;
  let dataDir = '';
  let env: NodeJS.ProcessEnv = {};
  afterEach(async () => {
    await run(process.execPath, [PM2, 'kill'], { env }).catch(() => undefined);
    if (temp) for (const pid of processesMentioning(temp.dir)) process.kill(pid, 'SIGKILL');
    await sandbox?.close();
    temp?.remove();
    temp = undefined;
    sandbox = undefined;
  });

  const pm2 = async (...args: string[]): Promise<string> =>
    (await run(process.execPath, [PM2, ...args], { env, cwd: path.resolve('.'), timeout: 90_000 })).stdout;
  const apps = async (): Promise<Pm2App[]> => JSON.parse(await pm2('jlist')) as Pm2App[];

  /** A sandbox user, the env of a PM2-run fleet on a free port, and a small REST helper. */
  async function prepare(): Promise<{
    base: string;
    api: (method: string, route: string, body?: unknown) => Promise<any>;
    qrCode: (jobId: string) => Promise<string | undefined>;
  }> {
    temp = makeTempDir('fleet-pm2-');
    dataDir = path.join(temp.dir, 'data');
    const site = new SandboxServer();
    sandbox = site;
    await site.start();
    await fetch(`${site.url}/admin/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ handle: 'alice', email: 'alice@sandbox.test', password: 'pm2-alice-pw' }),
    });
    const port = await freePort();
    const apiToken = `fwa_pm2_${Date.now()}`;
    env = {
      ...process.env,
      PM2_HOME: path.join(temp.dir, 'pm2'),
      FLEET_DATA_DIR: dataDir,
      PORT: String(port),
      FLEET_LOG_LEVEL: 'warn',
      FLEET_API_TOKEN: apiToken,
      FLEET_SANDBOX_URL: site.url,
      FLEET_DRAIN_TIMEOUT_MS: String(DRAIN_MS),
      FLEET_HEARTBEAT_INTERVAL_MS: '1000',
    };
    const base = `http://127.0.0.1:${port}`;
    const headers = { authorization: `Bearer ${apiToken}`, 'content-type': 'application/json' };
    const api = async (method: string, route: string, body?: unknown): Promise<any> =>
      (await fetch(`${base}/api/v1${route}`, { method, headers, ...(body ? { body: JSON.stringify(body) } : {}) })).json();
    const qrCode = async (jobId: string): Promise<string | undefined> => {
      const res = await fetch(`${base}/api/v1/jobs/${jobId}/qrcode`, { headers });
      return res.ok ? ((await res.json()) as { dataUrl: string }).dataUrl : undefined;
    };
    return { base, api, qrCode };
  }

  async function startFleet(base: string): Promise<Pm2App[]> {
    await pm2('start', 'ecosystem.config.js');
    await waitFor(
      'two workers online under PM2',
      async () => {
        const body = (await (await fetch(`${base}/health`)).json()) as { workers: { online: number } };
        return body.workers.online === 2 ? body : undefined;
      },
      60_000,
      250,
    );
    return apps();
  }

  /** A QR login waits for a phone, so it is still running when the workers are reloaded. Returns its id and first QR code. */
  async function startWaitingLogin(
    api: (method: string, route: string, body?: unknown) => Promise<any>,
    qrCode: (jobId: string) => Promise<string | undefined>,
  ): Promise<{ jobId: string; firstQr: string }> {
    const account = await api('POST', '/accounts', { platform: 'sandbox', label: 'pm2:alice' });
    const job = await api('POST', '/jobs', { type: 'login', accountId: account.id, payload: { method: 'qr' } });
    const firstQr = await waitFor('the first QR code', () => qrCode(job.id), 60_000, 200);
    expect((await api('GET', `/jobs/${job.id}`)).status).toBe('running');
    return { jobId: job.id, firstQr };
  }

  it('starts a master and two workers that register; reloading the workers mid-job loses no job; pm2 delete leaves no process', async () => {
    const { base, api, qrCode } = await prepare();
    const started = await startFleet(base);
    expect(started.map((a) => [a.name, a.pm2_env.status])).toEqual([
      ['fleet-master', 'online'],
      ['fleet-worker-1', 'online'],
      ['fleet-worker-2', 'online'],
    ]);
    // kill_timeout follows the worker's drain deadline, with time to close browsers after it.
    for (const worker of started.filter((a) => a.name.startsWith('fleet-worker-'))) {
      expect(worker.pm2_env.env.FLEET_DRAIN_TIMEOUT_MS).toBe(String(DRAIN_MS));
      expect(worker.pm2_env.kill_timeout).toBe(DRAIN_MS + 15_000);
    }
    const { jobId, firstQr } = await startWaitingLogin(api, qrCode);

    await pm2('reload', 'ecosystem.config.js', '--only', 'fleet-worker-1,fleet-worker-2');
    const reloaded = await apps();
    for (const worker of reloaded.filter((a) => a.name.startsWith('fleet-worker-'))) {
      expect(worker.pm2_env.restart_time).toBeGreaterThanOrEqual(1);
      expect(worker.pid).not.toBe(started.find((a) => a.name === worker.name)!.pid);
    }
    expect(reloaded.find((a) => a.name === 'fleet-master')!.pid).toBe(started.find((a) => a.name === 'fleet-master')!.pid);

    // The login was still waiting when its worker stopped: it was handed back and runs again on a
    // reloaded worker, with a new QR code. The phone approves that one.
    const secondQr = await waitFor(
      'a new QR code from the retried login',
      async () => {
        const dataUrl = await qrCode(jobId);
        return dataUrl && dataUrl !== firstQr ? dataUrl : undefined;
      },
      60_000,
      200,
    );
    const approved = await fetch(`${sandbox!.url}/admin/qr/approve`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: decodeQrDataUrl(secondQr), user: 'alice' }),
    });
    expect(approved.status).toBe(200);
    const done = await waitFor(
      'the login to finish',
      async () => {
        const view = await api('GET', `/jobs/${jobId}`);
        return ['succeeded', 'failed', 'cancelled'].includes(view.status) ? view : undefined;
      },
      60_000,
      250,
    );
    expect(done).toMatchObject({ status: 'succeeded', attempt: 2, result: { loggedIn: true, method: 'qr' } });
    expect((await api('GET', '/jobs?status=running')).items).toEqual([]);

    const daemon = Number(readFileSync(path.join(temp!.dir, 'pm2', 'pm2.pid'), 'utf8'));
    expect(descendantsOf(daemon).filter((p) => p.cmdline.endsWith('packages/cli/dist/main.js'))).toHaveLength(3);
    await pm2('delete', 'all');
    expect(await apps()).toEqual([]);
    // Nothing PM2 started is left (master, workers, Chromium), and no Chromium on this data dir.
    await waitFor(
      'fleet processes to end after pm2 delete',
      () => (descendantsOf(daemon).length === 0 && processesMentioning(dataDir).length === 0 ? true : undefined),
      30_000,
      250,
    );
  }, 180_000);

  // Playwright's own signal handlers (on by default) would close every browser the moment PM2
  // signals the worker; the worker turns them off so its running job gets the drain deadline.
  it('a worker stopped by PM2 gives its running job the drain deadline before handing it back', async () => {
    const { base, api, qrCode } = await prepare();
    await startFleet(base);
    const { jobId } = await startWaitingLogin(api, qrCode);
    const reloadAt = Date.now();
    await pm2('reload', 'ecosystem.config.js', '--only', 'fleet-worker-1,fleet-worker-2');
    const handedBack = await waitFor(
      'the first attempt to end',
      async () => {
        const events = (await api('GET', `/jobs/${jobId}/events`)).items as { at: string; data: { retry?: boolean; code?: string } }[];
        return events.find((e) => e.data.retry === true);
      },
      60_000,
      250,
    );
    expect(handedBack.data.code).toBe('WORKER_LOST');
    expect(Date.parse(handedBack.at) - reloadAt).toBeGreaterThanOrEqual(DRAIN_MS - 500);
  }, 180_000);
  it('FLEET_MASTERS starts that many masters on successive ports, sharing FLEET_DATABASE_URL, and gives workers every one of them', async () => {
    const eco = makeTempDir('fleet-eco-');
    temp = eco;
    const load = (extra: Record<string, string>) =>
      run(process.execPath, ['-e', 'console.log(JSON.stringify(require("./ecosystem.config.js").apps))'], {
        cwd: path.resolve('.'),
        env: { PATH: process.env.PATH, PORT: '4100', FLEET_DATA_DIR: path.join(eco.dir, 'data'), ...extra },
      });
    const apps = JSON.parse((await load({ FLEET_MASTERS: '3', FLEET_DATABASE_URL: 'postgres://fleet@db.internal/fleet' })).stdout) as {
      name: string;
      env: Record<string, string>;
    }[];
    const masters = apps.filter((a) => a.name.startsWith('fleet-master'));
    expect(masters.map((a) => [a.name, a.env.PORT, a.env.FLEET_MASTER_PUBLIC_URL])).toEqual([
      ['fleet-master', '4100', 'http://127.0.0.1:4100'],
      ['fleet-master-2', '4101', 'http://127.0.0.1:4101'],
      ['fleet-master-3', '4102', 'http://127.0.0.1:4102'],
    ]);
    expect(new Set(masters.map((a) => a.env.FLEET_MASTER_ID)).size).toBe(3);
    for (const worker of apps.filter((a) => a.name.startsWith('fleet-worker')))
      expect(worker.env.FLEET_MASTER_URL).toBe('http://127.0.0.1:4100,http://127.0.0.1:4101,http://127.0.0.1:4102');
    await expect(load({ FLEET_MASTERS: '2' })).rejects.toThrow(/FLEET_MASTERS above 1 needs FLEET_DATABASE_URL/);
  });
});
