import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SandboxServer } from '@fleetwright/sandbox';
import { freePort } from '../support/free-port.js';
import { processesMentioning } from '../support/processes.js';
import { makeTempDir } from '../support/temp-dir.js';
import { waitFor } from '../support/wait-for.js';
import { AuthProxy } from './auth-proxy.js';
import { FleetProcess } from './fleet-processes.js';

/** Every regular file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return filesUnder(full);
    return entry.isFile() ? [full] : [];
  });
}

describe('logs: JSON files under data/logs, readable console lines, no secret anywhere', () => {
  const temp = makeTempDir('fleet-logs-');
  const sandbox = new SandboxServer();
  let proxy: AuthProxy | undefined;
  const processes: FleetProcess[] = [];
  afterEach(async () => {
    for (const p of processes.splice(0)) p.kill();
    for (const pid of processesMentioning(temp.dir)) process.kill(pid, 'SIGKILL');
    await proxy?.close();
    await sandbox.close();
    temp.remove();
  });

  it('runs a real master, worker, login and crawl with known secrets, and no log line or console output holds one', async () => {
    const secrets = {
      password: `acct-pw-${randomBytes(6).toString('hex')}`,
      proxyPassword: `proxy-pw-${randomBytes(6).toString('hex')}`,
      apiToken: `fwa_${randomBytes(16).toString('hex')}`,
      workerToken: `fww_${randomBytes(16).toString('hex')}`,
      secretKey: randomBytes(32).toString('hex'),
    };
    await sandbox.start();
    const seeded = await fetch(`${sandbox.url}/admin/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ handle: 'alice', email: 'alice@sandbox.test', password: secrets.password }),
    });
    expect(seeded.status).toBe(201);
    proxy = await new AuthProxy('proxy-user', secrets.proxyPassword).start();
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const dataDir = path.join(temp.dir, 'data');
    const env = {
      PORT: String(port),
      FLEET_DATA_DIR: dataDir,
      FLEET_LOG_LEVEL: 'debug',
      FLEET_API_TOKEN: secrets.apiToken,
      FLEET_WORKER_TOKEN: secrets.workerToken,
      FLEET_SECRET_KEY: secrets.secretKey,
      FLEET_MASTER_URL: base,
      FLEET_WORKER_ID: 'logs-w1',
      FLEET_SANDBOX_URL: sandbox.url,
      FLEET_HEARTBEAT_INTERVAL_MS: '1000',
    };
    const master = new FleetProcess('master', env);
    processes.push(master);
    await waitFor('the master to answer /health', async () => ((await fetch(`${base}/health`)).ok ? true : undefined), 30_000, 100);
    const worker = new FleetProcess('worker', env);
    processes.push(worker);
    const headers = { authorization: `Bearer ${secrets.apiToken}`, 'content-type': 'application/json' };
    await waitFor(
      'the worker to register',
      async () => {
        const body = (await (await fetch(`${base}/health`)).json()) as { workers: { online: number } };
        return body.workers.online === 1 ? true : undefined;
      },
      30_000,
      100,
    );

    const created = await fetch(`${base}/api/v1/accounts`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ platform: 'sandbox', label: 'logs:alice', credentials: { username: 'alice', password: secrets.password }, proxy: proxy.url }),
    });
    expect(created.status).toBe(201);
    const account = (await created.json()) as { id: string };
    const run = async (type: string): Promise<{ status: string; error: unknown }> => {
      const job = (await (
        await fetch(`${base}/api/v1/jobs`, { method: 'POST', headers, body: JSON.stringify({ type, accountId: account.id, maxAttempts: 1 }) })
      ).json()) as { id: string };
      return waitFor(
        `the ${type} job to finish`,
        async () => {
          const view = (await (await fetch(`${base}/api/v1/jobs/${job.id}`, { headers })).json()) as { status: string; error: unknown };
          return ['succeeded', 'failed', 'cancelled'].includes(view.status) ? view : undefined;
        },
        60_000,
        200,
      );
    };
    expect(await run('login')).toMatchObject({ status: 'succeeded' });
    expect(await run('crawl')).toMatchObject({ status: 'succeeded' });
    // The secrets were really used: the browser went through the proxy with its password.
    expect(proxy.authorized).toBeGreaterThan(0);

    expect(await worker.stop()).toBe(0);
    expect(await master.stop()).toBe(0);

    const logDir = path.join(dataDir, 'logs');
    const logFiles = readdirSync(logDir).sort();
    expect(logFiles).toEqual(
      expect.arrayContaining([
        'master.log',
        'worker_logs-w1.log',
        expect.stringMatching(/^master-\d{4}-\d{2}-\d{2}\.log$/),
        expect.stringMatching(/^worker_logs-w1-\d{4}-\d{2}-\d{2}\.log$/),
      ]),
    );
    const masterLines = readFileSync(path.join(logDir, 'master.log'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { level: string; message: string; component: string; timestamp: string });
    expect(masterLines.map((l) => l.message)).toEqual(expect.arrayContaining(['worker registered', 'stopping master']));
    expect(masterLines.every((l) => l.component === 'master' && typeof l.timestamp === 'string')).toBe(true);
    const workerLog = readFileSync(path.join(logDir, 'worker_logs-w1.log'), 'utf8');
    expect(workerLog).toContain('"message":"account assigned"');
    // The console gets readable lines (no colour codes when it is not a terminal, as under PM2).
    expect(master.output).toMatch(/^\S+Z info \[master\] worker registered \{/m);
    expect(master.output).not.toContain('\x1b[');

    // Every file the fleet wrote that is a log (data/logs and each job's run.log), and both consoles.
    const logs = filesUnder(dataDir)
      .filter((file) => file.startsWith(logDir) || file.endsWith('.log'))
      .map((file) => ({ name: path.relative(dataDir, file), text: readFileSync(file, 'utf8') }));
    expect(logs.filter((l) => l.name.endsWith('run.log')).length).toBeGreaterThanOrEqual(2);
    logs.push({ name: 'master console', text: master.output }, { name: 'worker console', text: worker.output });
    expect(logs.reduce((n, l) => n + l.text.length, 0)).toBeGreaterThan(2000);
    const proxyBasic = Buffer.from(`proxy-user:${secrets.proxyPassword}`).toString('base64');
    const leaks = Object.entries({ ...secrets, proxyBasic }).flatMap(([what, secret]) =>
      logs.filter((l) => l.text.includes(secret)).map((l) => `${what} in ${l.name}`),
    );
    expect(leaks).toEqual([]);
    expect(statSync(path.join(logDir, 'master.log')).size).toBeGreaterThan(0);
  });
});
