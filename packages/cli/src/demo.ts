import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SandboxServer, seedDemo } from '@fleetwright/sandbox';
import { loadOrCreateSecrets } from '@fleetwright/master';
import { loadConfig, loadOrExit, readInt } from '@fleetwright/shared';
import { ChildSupervisor } from './supervisor/child-supervisor.js';

const CLI_MAIN = fileURLToPath(new URL('./main.js', import.meta.url));
const DEMO_PASSWORD = 'sandbox-demo-pass';

export interface DemoOptions {
  /** Worker processes to start. @defaultValue 2 */
  workers?: number;
}

/**
 * `npm start`: the embedded default. The sandbox site (seeded), a master and two workers as child
 * processes of this one, no Redis. A child that dies is restarted (see ChildSupervisor) while the
 * rest keep running; Ctrl-C stops them all. State persists in the data dir.
 */
export async function runDemo(options: DemoOptions = {}): Promise<void> {
  const config = loadOrExit(() => loadConfig(), 'fleet demo');
  const sandboxPort = loadOrExit(() => readInt(process.env, 'FLEET_SANDBOX_PORT', 3100, { min: 0, max: 65_535 }), 'fleet demo');
  const secrets = loadOrCreateSecrets(config);
  const sandbox = await startSandbox(sandboxPort);
  seedDemo(sandbox.store, DEMO_PASSWORD);
  const masterUrl = `http://127.0.0.1:${config.port}`;
  const supervisor = new ChildSupervisor();
  const baseEnv = { ...process.env, FLEET_DATA_DIR: config.dataDir, FLEET_WORKER_TOKEN: secrets.workerToken, FLEET_SANDBOX_URL: sandbox.url };

  let stopping: Promise<void> | undefined;
  const stop = (code: number): Promise<void> =>
    (stopping ??= (async () => {
      process.stdout.write('\nstopping the fleet...\n');
      await supervisor.close();
      await sandbox.close();
      process.exit(code);
    })());
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  // The children run in process groups of their own, so a closed terminal's SIGHUP reaches only us.
  process.on('SIGHUP', () => void stop(0));

  const workerCount = options.workers ?? 2;
  try {
    // Another fleet on this port would answer the health check below for ours, and our workers
    // would join it under the same ids; this master could only crash-loop on EADDRINUSE.
    if (await answersHealth(masterUrl)) throw new Error(`a fleet already answers on ${masterUrl} (another npm start?): stop it, or set PORT`);
    // The demo's master listens on loopback only, unless the user chose otherwise.
    supervisor.start({
      name: 'master',
      args: [CLI_MAIN, 'master'],
      env: { ...baseEnv, PORT: String(config.port), FLEET_BIND: process.env.FLEET_BIND ?? '127.0.0.1' },
    });
    await waitForHealth(masterUrl, 30_000);
    for (let i = 1; i <= workerCount; i += 1) {
      const workerId = `demo-worker-${i}`;
      // The worker keeps its profiles under its own dir: every Chromium it starts names it.
      const ownedMarker = path.resolve(config.dataDir, 'workers', workerId) + path.sep;
      supervisor.start({
        name: `worker-${i}`,
        args: [CLI_MAIN, 'worker'],
        env: { ...baseEnv, FLEET_MASTER_URL: masterUrl, FLEET_WORKER_ID: workerId },
        ownedMarker,
        stopTier: 1,
      });
    }
    await ensureDemoAccounts(masterUrl, secrets.apiToken);
  } catch (error) {
    // Ctrl-C while starting stops the children under us: that is no failure, and stop() exits.
    if (stopping) return stopping;
    await supervisor.close();
    await sandbox.close();
    throw error;
  }
  if (stopping) return stopping;
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
      'A master or worker that dies is restarted. Ctrl-C stops everything.',
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

async function answersHealth(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) })).ok;
  } catch {
    return false; // nothing there (yet)
  }
}

async function waitForHealth(url: string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await answersHealth(url)) return;
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
