import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SandboxServer, seedDemo } from '@fleetwright/sandbox';
import { loadOrCreateSecrets } from '@fleetwright/master';
import { loadConfig, loadOrExit, readInt } from '@fleetwright/shared';

const CLI_MAIN = fileURLToPath(new URL('./main.js', import.meta.url));
const DEMO_PASSWORD = 'sandbox-demo-pass';

export interface DemoOptions {
  /** Worker processes to start. @defaultValue 2 */
  workers?: number;
}

/**
 * `npm start`: the embedded default. The sandbox site (seeded), a master and two workers as child
 * processes of this one, no Redis; Ctrl-C stops them all. State persists in the data dir.
 */
export async function runDemo(options: DemoOptions = {}): Promise<void> {
  const config = loadOrExit(() => loadConfig(), 'fleet demo');
  const sandboxPort = loadOrExit(() => readInt(process.env, 'FLEET_SANDBOX_PORT', 3100, { min: 0, max: 65_535 }), 'fleet demo');
  const secrets = loadOrCreateSecrets(config);
  const sandbox = await startSandbox(sandboxPort);
  seedDemo(sandbox.store, DEMO_PASSWORD);
  const masterUrl = `http://127.0.0.1:${config.port}`;
  const children: ChildProcess[] = [];
  const baseEnv = { ...process.env, FLEET_DATA_DIR: config.dataDir, FLEET_WORKER_TOKEN: secrets.workerToken, FLEET_SANDBOX_URL: sandbox.url };
  children.push(start('master', { ...baseEnv, PORT: String(config.port) }));

  let stopping = false;
  const stop = async (code: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    process.stdout.write('\nstopping the fleet...\n');
    await Promise.all(children.map((child) => stopChild(child)));
    await sandbox.close();
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  await waitForHealth(masterUrl, 30_000);
  const workerCount = options.workers ?? 2;
  for (let i = 1; i <= workerCount; i += 1) {
    children.push(start(`worker-${i}`, { ...baseEnv, FLEET_MASTER_URL: masterUrl, FLEET_WORKER_ID: `demo-worker-${i}` }));
  }
  for (const child of children) child.once('exit', (code) => !stopping && void stop(code ?? 1));
  await ensureDemoAccounts(masterUrl, secrets.apiToken);
  process.stdout.write(
    [
      '',
      'Fleetwright is running (embedded default: no Redis, master-granted leases).',
      `  Dashboard / API : ${masterUrl}   (REST under ${masterUrl}/api/v1)`,
      `  Health          : ${masterUrl}/health`,
      `  API token       : ${secrets.apiToken}`,
      `  Sandbox site    : ${sandbox.url}   (users alice / bob, password ${DEMO_PASSWORD})`,
      `  Workers         : ${workerCount}`,
      '',
      `Open ${masterUrl} and sign in with the API token. Or, from this directory:`,
      '  npx fleet accounts list',
      '  npx fleet jobs add login --account demo:alice --watch',
      '  npx fleet jobs add crawl --account demo:alice --watch',
      `  curl -s -H "Authorization: Bearer ${secrets.apiToken}" ${masterUrl}/api/v1/accounts`,
      `Logs: ${config.dataDir}/logs/   Metrics: ${masterUrl}/metrics`,
      '',
      'Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );
}

async function startSandbox(port: number): Promise<SandboxServer> {
  const sandbox = new SandboxServer({ port });
  try {
    await sandbox.start();
    return sandbox;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || port === 0) throw error;
    const fallback = new SandboxServer({ port: 0 });
    await fallback.start();
    return fallback;
  }
}

function start(name: string, env: NodeJS.ProcessEnv): ChildProcess {
  const role = name.startsWith('worker') ? 'worker' : 'master';
  const child = spawn(process.execPath, [CLI_MAIN, role], { env, stdio: ['ignore', 'inherit', 'inherit'] });
  return child;
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 40_000);
    timer.unref();
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

async function waitForHealth(url: string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try {
      const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`the master did not answer ${url}/health within ${timeoutMs} ms`);
}

/** The demo's two accounts, created once; a restart finds them in the data dir. */
async function ensureDemoAccounts(url: string, token: string): Promise<void> {
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const res = await fetch(`${url}/api/v1/accounts?limit=500`, { headers, signal: AbortSignal.timeout(5000) });
  const existing = ((await res.json()) as { items: { label: string | null }[] }).items.map((a) => a.label);
  for (const handle of ['alice', 'bob']) {
    if (existing.includes(`demo:${handle}`)) continue;
    const body = { platform: 'sandbox', label: `demo:${handle}`, tags: ['demo'], credentials: { username: handle, password: DEMO_PASSWORD } };
    const created = await fetch(`${url}/api/v1/accounts`, { method: 'POST', headers, body: JSON.stringify(body), signal: AbortSignal.timeout(5000) });
    if (!created.ok) throw new Error(`could not create the demo account ${handle}: ${await created.text()}`);
  }
}
