import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../support/free-port.js';
import { processesMentioning } from '../support/processes.js';
import { makeTempDir } from '../support/temp-dir.js';
import { waitFor } from '../support/wait-for.js';

const run = promisify(execFile);
const PM2 = path.resolve('node_modules/pm2/bin/pm2');

describe('PM2 ecosystem.config.js', () => {
  const temp = makeTempDir('fleet-pm2-');
  const env = (port: number): NodeJS.ProcessEnv => ({ ...process.env, PM2_HOME: path.join(temp.dir, 'pm2'), FLEET_DATA_DIR: path.join(temp.dir, 'data'), PORT: String(port), FLEET_LOG_LEVEL: 'warn' });
  let port = 0;
  afterEach(async () => {
    await run(process.execPath, [PM2, 'kill'], { env: env(port) }).catch(() => undefined);
    for (const pid of processesMentioning(temp.dir)) process.kill(pid, 'SIGKILL');
    temp.remove();
  });

  it('starts a master and two workers that register, and pm2 delete leaves no process behind', async () => {
    port = await freePort();
    await run(process.execPath, [PM2, 'start', 'ecosystem.config.js'], { env: env(port), cwd: path.resolve('.') });
    const health = await waitFor('two workers online under PM2', async () => {
      const body = (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as { workers: { online: number } };
      return body.workers.online === 2 ? body : undefined;
    }, 60_000, 250);
    expect(health.workers.online).toBe(2);
    const { stdout } = await run(process.execPath, [PM2, 'jlist'], { env: env(port) });
    const apps = (JSON.parse(stdout) as { name: string; pm2_env: { status: string } }[]).map((a) => [a.name, a.pm2_env.status]);
    expect(apps).toEqual([['fleet-master', 'online'], ['fleet-worker-1', 'online'], ['fleet-worker-2', 'online']]);

    await run(process.execPath, [PM2, 'delete', 'all'], { env: env(port) });
    await waitFor('fleet processes to end after pm2 delete', () => (processesMentioning(path.join(temp.dir, 'data')).length === 0 ? true : undefined), 30_000, 250);
  });
});
