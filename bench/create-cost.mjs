// A diagnostic (not a benchmark of BENCHMARKS.md): what creating jobs costs the master alone. A
// master with no workers (nothing dispatches), 400 accounts, then 20,000 jobs in 40 bulk requests
// of 500, 4 at a time, as bench:dispatch submits them; the master's CPU over the submit. With other
// builds' checkouts as arguments (their packages built), each run alternates the builds.
// Progress on stderr, one JSON line on stdout.
//   node bench/create-cost.mjs [<other checkout> ...]
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, median, procStat, progress, restApi, spawn, waitFor } from './lib.mjs';

const root = path.resolve(fileURLToPath(new URL('..', import.meta.url)));
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const JOBS = Number(process.env.BENCH_JOBS ?? 20_000);
const ACCOUNTS = 400;
const CHUNK = 500;
const CLK_TCK = 100;
const roots = [root, ...process.argv.slice(2).map((r) => path.resolve(r))];

async function oneRun(masterRoot) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fleet-create-cost-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const apiToken = `fwa_${randomBytes(12).toString('hex')}`;
  const master = spawn(process.execPath, [path.join(masterRoot, 'packages/cli/dist/main.js'), 'master'], {
    env: {
      ...process.env,
      PORT: String(port),
      FLEET_DATA_DIR: dir,
      FLEET_API_TOKEN: apiToken,
      FLEET_WORKER_TOKEN: `fww_${randomBytes(12).toString('hex')}`,
      FLEET_SECRET_KEY: randomBytes(32).toString('hex'),
      FLEET_LOG_LEVEL: 'error',
      FLEET_DASHBOARD_DIR: '/nonexistent',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    await waitFor('the master', async () => ((await fetch(`${url}/health`).catch(() => undefined))?.ok ? true : undefined), 30_000);
    const api = restApi(url, apiToken);
    const accountIds = [];
    for (let i = 0; i < ACCOUNTS; i += 1) accountIds.push((await api('POST', '/accounts', { platform: 'bench', label: `bench-${i}` })).id);
    const chunks = [];
    for (let i = 0; i < JOBS; i += CHUNK)
      chunks.push(
        Array.from({ length: Math.min(CHUNK, JOBS - i) }, (_, k) => ({
          type: 'noop',
          accountId: accountIds[(i + k) % ACCOUNTS],
          idempotencyKey: `c-${i + k}`,
        })),
      );
    const before = procStat(master.pid);
    const t0 = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (next < chunks.length) await api('POST', '/jobs/bulk', { jobs: chunks[next++] });
      }),
    );
    const ms = performance.now() - t0;
    return { cpuMs: (procStat(master.pid).cpuTicks - before.cpuTicks) * (1000 / CLK_TCK), ms: Math.round(ms) };
  } finally {
    master.kill('SIGTERM');
    await new Promise((resolve) => master.once('exit', resolve));
    rmSync(dir, { recursive: true, force: true });
  }
}

const results = new Map(roots.map((r) => [r, []]));
for (let run = 1; run <= RUNS; run += 1) {
  for (const r of run % 2 ? roots : [...roots].reverse()) {
    const figures = await oneRun(r);
    results.get(r).push(figures);
    progress(`run ${run}: ${r === root ? 'this build' : r}: ${JOBS} jobs created in ${figures.ms} ms, master CPU ${figures.cpuMs} ms`);
  }
}
const summary = (list) => ({ cpuMs: median(list.map((f) => f.cpuMs)), ms: median(list.map((f) => f.ms)) });
const ours = summary(results.get(root));
console.log(
  JSON.stringify({
    ...ours,
    jobs: JOBS,
    runs: RUNS,
    others: roots
      .slice(1)
      .map((r) => ({ root: r, ...summary(results.get(r)), cpuRatio: Math.round((ours.cpuMs / summary(results.get(r)).cpuMs) * 100) / 100 })),
  }),
);
