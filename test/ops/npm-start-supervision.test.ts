import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLI } from './cli-runner.js';
import { freePort } from '../support/free-port.js';
import { processesMentioning } from '../support/processes.js';
import { makeTempDir } from '../support/temp-dir.js';
import { waitFor } from '../support/wait-for.js';
import { descendantsOf, stillRunning } from './process-tree.js';

interface Job {
  id: string;
  status: string;
  workerId: string | null;
  error?: unknown;
}

/** The demo's master and workers by role (`master`, `demo-worker-1`, …), read from /proc. */
function fleetPids(demoPid: number): Record<string, number> {
  const pids: Record<string, number> = {};
  for (const p of descendantsOf(demoPid)) {
    if (p.cmdline.endsWith(' master')) pids.master = p.pid;
    if (!p.cmdline.endsWith(' worker')) continue;
    try {
      const id = /(?:^|\0)FLEET_WORKER_ID=([^\0]*)/.exec(readFileSync(`/proc/${p.pid}/environ`, 'utf8'))?.[1];
      if (id) pids[id] = p.pid;
    } catch {
      // it ended while we looked
    }
  }
  return pids;
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** `fleet demo` as `npm start` runs it after its build, in its own process group as a terminal runs it. */
function startDemo(dataDir: string, port: number): { demo: ChildProcess; output: () => string; exited: Promise<number | null> } {
  let output = '';
  const demo = spawn(process.execPath, [CLI, 'demo'], {
    env: { ...process.env, PORT: String(port), FLEET_SANDBOX_PORT: '0', FLEET_DATA_DIR: dataDir, FLEET_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  demo.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  demo.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => demo.once('exit', (code) => resolve(code)));
  return { demo, output: () => output, exited };
}

describe('npm start supervises its children', () => {
  let demo: ChildProcess | undefined;
  let temp: ReturnType<typeof makeTempDir>;
  beforeEach(() => {
    temp = makeTempDir('fleet-demo-supervision-');
  });
  afterEach(() => {
    try {
      if (demo?.pid) process.kill(-demo.pid, 'SIGKILL');
    } catch {
      // the group has ended already
    }
    for (const pid of processesMentioning(temp.dir)) process.kill(pid, 'SIGKILL');
    temp.remove();
  });

  it('restarts a SIGKILLed worker and master while the rest keep running, and Ctrl-C after a worker was killed mid-job leaves no Chromium behind', async () => {
    const port = await freePort();
    const run = startDemo(temp.dir, port);
    demo = run.demo;
    const token = await waitFor('the demo to print its API token', () => /API token\s+:\s+(\S+)/.exec(run.output())?.[1], 60_000, 100);
    const sandboxUrl = /Sandbox site\s+:\s+(\S+)/.exec(run.output())![1]!;
    const base = `http://127.0.0.1:${port}`;
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const get = async <T>(route: string): Promise<T> => (await fetch(`${base}${route}`, { headers, signal: AbortSignal.timeout(5000) })).json() as Promise<T>;
    const workerStatus = async (): Promise<Record<string, string>> =>
      Object.fromEntries((await get<{ items: { id: string; status: string }[] }>('/api/v1/workers')).items.map((w) => [w.id, w.status]));
    const bothOnline = async (): Promise<true | undefined> => {
      const status = await workerStatus();
      return status['demo-worker-1'] === 'online' && status['demo-worker-2'] === 'online' ? true : undefined;
    };
    const accounts = async (): Promise<{ id: string; label: string }[]> => (await get<{ items: { id: string; label: string }[] }>('/api/v1/accounts')).items;
    const submit = async (accountId: string, type = 'crawl'): Promise<Job> =>
      (
        await fetch(`${base}/api/v1/jobs`, { method: 'POST', headers, body: JSON.stringify({ type, accountId }), signal: AbortSignal.timeout(5000) })
      ).json() as Promise<Job>;
    const succeeds = async (type: string, accountId: string): Promise<void> => {
      const job = await finished((await submit(accountId, type)).id);
      expect(job.status, JSON.stringify(job.error)).toBe('succeeded');
    };
    const finished = (id: string): Promise<Job> =>
      waitFor(
        `job ${id} to finish`,
        async () => {
          const job = await get<Job>(`/api/v1/jobs/${id}`);
          return ['succeeded', 'failed', 'cancelled'].includes(job.status) ? job : undefined;
        },
        90_000,
        200,
      );

    await waitFor('both workers online', bothOnline, 60_000, 200);
    const alice = (await waitFor('the demo accounts', async () => (await accounts()).find((a) => a.label === 'demo:alice')))!;
    await succeeds('login', alice.id); // the crawls below need alice signed in
    const before = fleetPids(demo.pid!);
    expect(Object.keys(before).sort()).toEqual(['demo-worker-1', 'demo-worker-2', 'master']);

    // 1. A worker SIGKILLed (as the OOM killer does) comes back; the master, the other worker and the sandbox never noticed.
    process.kill(before['demo-worker-1']!, 'SIGKILL');
    const worker1 = await waitFor(
      'worker-1 to be restarted',
      () => {
        const pid = fleetPids(demo!.pid!)['demo-worker-1'];
        return pid !== undefined && pid !== before['demo-worker-1'] ? pid : undefined;
      },
      30_000,
      100,
    );
    await waitFor('the restarted worker-1 online at the master', bothOnline, 60_000, 200);
    expect(run.output()).toMatch(new RegExp(`worker-1 \\(pid ${before['demo-worker-1']}\\) was killed by SIGKILL; restarting it in 1 s`));
    expect(run.output()).toContain(`worker-1 restarted (pid ${worker1})`);
    expect(run.output()).not.toContain('stopping the fleet');
    expect(fleetPids(demo.pid!)).toEqual({ ...before, 'demo-worker-1': worker1 });
    expect((await fetch(sandboxUrl)).ok).toBe(true);
    await succeeds('crawl', alice.id);

    // 2. The master SIGKILLed comes back on the same port, and the workers (same pids) reconnect to it.
    process.kill(before.master!, 'SIGKILL');
    const master = await waitFor(
      'the master to be restarted',
      () => {
        const pid = fleetPids(demo!.pid!).master;
        return pid !== undefined && pid !== before.master ? pid : undefined;
      },
      30_000,
      100,
    );
    expect(run.output()).toMatch(new RegExp(`master \\(pid ${before.master}\\) was killed by SIGKILL; restarting it in 1 s`));
    await waitFor('both workers online at the restarted master', bothOnline, 60_000, 200);
    expect(fleetPids(demo.pid!)).toEqual({ master, 'demo-worker-1': worker1, 'demo-worker-2': before['demo-worker-2'] });
    await succeeds('crawl', alice.id);

    // 3. A worker SIGKILLed in the middle of a job, then Ctrl-C: no Chromium of this run is left.
    let victim: { job: Job; pid: number } | undefined;
    for (let attempt = 0; attempt < 5 && !victim; attempt += 1) {
      const { id } = await submit(alice.id, 'login'); // a login takes longest: it fills in and sends a form
      const job = await waitFor(
        `job ${id} to run or end`,
        async () => {
          const seen = await get<Job>(`/api/v1/jobs/${id}`);
          return ['queued', 'dispatched'].includes(seen.status) ? undefined : seen;
        },
        60_000,
        20,
      );
      const pid = job.status === 'running' && job.workerId ? fleetPids(demo.pid!)[job.workerId] : undefined;
      if (pid !== undefined) victim = { job, pid };
      else await finished(id);
    }
    expect(victim, 'a job caught running').toBeDefined();
    const chromiumOfVictim = processesMentioning(`${temp.dir}/workers/${victim!.job.workerId}/`);
    expect(chromiumOfVictim.length).toBeGreaterThan(0);
    // Frozen, as a hung browser is: it won't notice on its own that its worker is gone.
    for (const pid of chromiumOfVictim) process.kill(pid, 'SIGSTOP');
    process.kill(victim!.pid, 'SIGKILL');
    await waitFor('the killed worker to have ended', () => (alive(victim!.pid) ? undefined : true), 10_000, 20);
    const started = descendantsOf(demo.pid!);
    process.kill(-demo.pid!, 'SIGINT'); // Ctrl-C
    await run.exited;
    expect(run.output()).toContain('stopping the fleet');
    await waitFor(
      'no Chromium, master or worker of this run to remain',
      () => (stillRunning(started).length === 0 && processesMentioning(temp.dir).length === 0 ? true : undefined),
      15_000,
      200,
    );
  }, 300_000);

  it('stops the master, the workers and their Chromium when the demo itself is SIGKILLed', async () => {
    const port = await freePort();
    const run = startDemo(temp.dir, port);
    demo = run.demo;
    await waitFor('the demo to print its API token', () => /API token\s+:\s+(\S+)/.exec(run.output())?.[1], 60_000, 100);
    const health = async (): Promise<true | undefined> => {
      const body = (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as { workers: { online: number }; accounts: { live: number } };
      return body.workers.online === 2 && body.accounts.live === 2 ? true : undefined;
    };
    await waitFor('two workers online with both accounts live', health, 60_000, 200);
    const pids = fleetPids(run.demo.pid!);
    expect(Object.keys(pids).sort()).toEqual(['demo-worker-1', 'demo-worker-2', 'master']);
    expect(readFileSync(`/proc/${pids.master}/environ`, 'utf8').split('\0')).toContain('FLEET_BIND=127.0.0.1'); // the demo's master on loopback
    await waitFor("the accounts' Chromium", () => (processesMentioning(`${temp.dir}/workers/`).length > 0 ? true : undefined), 30_000, 200);

    const started = descendantsOf(run.demo.pid!); // master, workers and their Chromium
    process.kill(run.demo.pid!, 'SIGKILL'); // the demo alone, as the OOM killer would
    await run.exited;
    await waitFor(
      'every process the demo started to end',
      () => (stillRunning(started).length === 0 && processesMentioning(temp.dir).length === 0 ? true : undefined),
      30_000,
      200,
    );
  }, 120_000);

  it('refuses to start when another fleet already answers on its port, rather than joining its workers to it', async () => {
    const other = createServer((_req, res) => res.end('{}')).listen(0, '127.0.0.1');
    await once(other, 'listening');
    try {
      const run = startDemo(temp.dir, (other.address() as AddressInfo).port);
      demo = run.demo;
      expect(await run.exited).not.toBe(0);
      expect(run.output()).toContain('a fleet already answers on');
      expect(processesMentioning(temp.dir)).toEqual([]);
    } finally {
      other.close();
    }
  });
});
