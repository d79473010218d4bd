import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../support/free-port.js';
import { processesMentioning } from '../support/processes.js';
import { makeTempDir } from '../support/temp-dir.js';
import { waitFor } from '../support/wait-for.js';

const CLI = path.resolve('packages/cli/dist/main.js');

describe('npm start (fleet demo): the embedded default', () => {
  let child: ChildProcess | undefined;
  const temp = makeTempDir('fleet-demo-');
  afterEach(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    for (const pid of processesMentioning(temp.dir)) process.kill(pid, 'SIGKILL');
    temp.remove();
  });

  it('starts sandbox, master and two workers, runs the demo login and crawl, and Ctrl-C leaves nothing behind', async () => {
    const port = await freePort();
    const sandboxPort = await freePort();
    let output = '';
    child = spawn(process.execPath, [CLI, 'demo'], {
      env: { ...process.env, PORT: String(port), FLEET_SANDBOX_PORT: String(sandboxPort), FLEET_DATA_DIR: temp.dir, FLEET_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));

    const token = await waitFor('the demo to print its API token', () => /API token\s+:\s+(\S+)/.exec(output)?.[1], 60_000, 100);
    const base = `http://127.0.0.1:${port}`;
    expect(output).toContain(`Dashboard / API : ${base}`);
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };

    const health = await waitFor('two workers online', async () => {
      const body = (await (await fetch(`${base}/health`)).json()) as { workers: { online: number }; accounts: { total: number; live: number } };
      return body.workers.online === 2 && body.accounts.live === 2 ? body : undefined;
    }, 60_000, 200);
    expect(health.accounts.total).toBe(2);

    const accounts = (await (await fetch(`${base}/api/v1/accounts`, { headers })).json()) as { items: { id: string; label: string }[] };
    const alice = accounts.items.find((a) => a.label === 'demo:alice')!;
    const post = async (body: unknown): Promise<{ id: string }> => (await fetch(`${base}/api/v1/jobs`, { method: 'POST', headers, body: JSON.stringify(body) })).json() as Promise<{ id: string }>;
    const login = await post({ type: 'login', accountId: alice.id });
    const crawl = await post({ type: 'crawl', accountId: alice.id });
    const finished = await waitFor('the demo crawl to finish', async () => {
      const job = (await (await fetch(`${base}/api/v1/jobs/${crawl.id}`, { headers })).json()) as { status: string; result: { comments: { text: string }[] } };
      return ['succeeded', 'failed'].includes(job.status) ? job : undefined;
    }, 60_000, 200);
    expect(finished.status).toBe('succeeded');
    expect(finished.result.comments.map((c) => c.text)).toEqual(['Welcome, Alice!', 'Looking forward to more posts.']);
    const loginJob = (await (await fetch(`${base}/api/v1/jobs/${login.id}`, { headers })).json()) as { status: string };
    expect(loginJob.status).toBe('succeeded');
    expect(processesMentioning(temp.dir).length).toBeGreaterThan(0);

    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    // No master, worker or Chromium of this demo is left: all of them name the temp data dir.
    await waitFor('every demo process to end', () => (processesMentioning(temp.dir).length === 0 ? true : undefined), 15_000, 200);
  });
});
