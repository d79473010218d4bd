// bench:dispatch — the real master in its own process, simulated workers (real socket.io clients)
// in another, no-op jobs. Method: ../shared/BENCHMARKS.md. Progress on stderr, one JSON line on stdout.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { io } from 'socket.io-client';
import { ClientEvent, ClientRequest, Namespace } from '@fleetwright/shared/contract';
import { postgresCpuTicks, startPostgres } from './postgres.mjs';
import { fork, freePort, median, pacedSubmits, percentile, pooledPoster, procStat, progress, restApi, settle, spawn, startRedis, waitFor } from './lib.mjs';

const root = path.resolve(fileURLToPath(new URL('..', import.meta.url)));
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const JOBS = Number(process.env.BENCH_JOBS ?? 20_000);
const WORKERS = Number(process.env.BENCH_WORKERS ?? 50);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const ACCOUNTS = Number(process.env.BENCH_ACCOUNTS ?? WORKERS * CONCURRENCY * 2);
const PACED_RATE = Number(process.env.BENCH_PACED_RATE ?? 1000);
const PACED_SECONDS = Number(process.env.BENCH_PACED_SECONDS ?? 10);
const CLK_TCK = 100;
/**
 * The peer measured in the same run, alternating with ours (BENCHMARKS.md): `bullmq`, or empty for
 * none. BullMQ is not a project dependency (its optional native packages leave a lockfile that
 * `npm ci` refuses here): `npm install --no-save bullmq@5` before measuring it; without it the
 * peer is skipped with a note.
 */
const PEER = process.env.BENCH_PEER ?? 'bullmq';
/**
 * Another build's checkout (its packages built), measured alternating with this one in the same
 * run: `BENCH_BASELINE_ROOT=<dir>`. Its master runs, on the first of `BENCH_BACKENDS`; the simulated
 * workers and client stay ours.
 */
const BASELINE_ROOT = process.env.BENCH_BASELINE_ROOT ? path.resolve(process.env.BENCH_BASELINE_ROOT) : undefined;
/**
 * `BENCH_LIMITS=1`: a generous limit (a rate and a concurrency cap it never reaches) on every
 * account's `noop` jobs, so the run measures what checking limits costs the dispatch pass.
 */
const LIMITS = process.env.BENCH_LIMITS === '1';
/**
 * The master's stores measured in one run, alternating run by run (BENCHMARKS.md):
 * `BENCH_BACKENDS=sqlite,postgres`. The first is the one the top-level figures describe; each other
 * gets its own figures and its ratios to the first. A PostgreSQL run gets a fresh database in a
 * throwaway cluster the bench starts (bench/postgres.mjs). Unset: SQLite alone, as always.
 */
const BACKENDS = (process.env.BENCH_BACKENDS ?? 'sqlite')
  .split(',')
  .map((b) => b.trim())
  .filter(Boolean);
for (const backend of BACKENDS)
  if (backend !== 'sqlite' && backend !== 'postgres') throw new Error(`BENCH_BACKENDS: unknown backend ${backend} (sqlite, postgres)`);
async function loadPeer() {
  if (PEER !== 'bullmq') return undefined;
  try {
    return (await import('./bullmq-peer.mjs')).bullmqRun;
  } catch (error) {
    if (error?.code !== 'ERR_MODULE_NOT_FOUND') throw error;
    progress('BullMQ is not installed: the peer is skipped (npm install --no-save bullmq@5 to measure it)');
    return undefined;
  }
}

/**
 * Where the slowest 1 % of a paced phase spent their time, against all jobs (means, ms): submit →
 * created (the request reaching the master), created → started (dispatch and the worker taking it),
 * started → finished, finished → seen by the client. Master and client share the machine's clock.
 */
function whereTimeWent(jobs) {
  const epoch = (t) => performance.timeOrigin + t;
  const stages = jobs.map(({ at, doneAt, view }) => {
    const [created, started, finished] = [view.createdAt, view.startedAt, view.finishedAt].map(Date.parse);
    return { total: doneAt - at, accepted: created - epoch(at), dispatched: started - created, ran: finished - started, seen: epoch(doneAt) - finished };
  });
  const mean = (list) =>
    ['total', 'accepted', 'dispatched', 'ran', 'seen'].map((k) => `${k} ${(list.reduce((sum, s) => sum + s[k], 0) / list.length).toFixed(1)}`).join(', ');
  const slowest = [...stages].sort((a, b) => b.total - a.total).slice(0, Math.ceil(stages.length / 100));
  return `slowest 1 %: ${mean(slowest)}; all: ${mean(stages)}`;
}

async function oneRun(run, masterRoot = root, databaseUrl = undefined) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fleet-bench-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const apiToken = `fwa_${randomBytes(12).toString('hex')}`;
  const workerToken = `fww_${randomBytes(12).toString('hex')}`;
  const master = spawn(
    process.execPath,
    [...(process.env.BENCH_MASTER_NODE_ARGS ?? '').split(' ').filter(Boolean), path.join(masterRoot, 'packages/cli/dist/main.js'), 'master'],
    {
      env: {
        ...process.env,
        PORT: String(port),
        FLEET_DATA_DIR: dir,
        FLEET_API_TOKEN: apiToken,
        FLEET_WORKER_TOKEN: workerToken,
        FLEET_SECRET_KEY: randomBytes(32).toString('hex'),
        FLEET_LOG_LEVEL: 'error',
        FLEET_DASHBOARD_DIR: '/nonexistent',
        ...(databaseUrl ? { FLEET_DATABASE_URL: databaseUrl } : {}),
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  let sims;
  let client;
  try {
    const api = restApi(url, apiToken);
    await waitFor('the master', async () => ((await fetch(`${url}/health`)).ok ? true : undefined), 30_000);
    sims = fork(path.join(root, 'bench/sim-workers.mjs'), [], {
      env: { ...process.env, BENCH_MASTER_URL: url, BENCH_WORKER_TOKEN: workerToken, BENCH_WORKERS: String(WORKERS), BENCH_CONCURRENCY: String(CONCURRENCY) },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    await new Promise((resolve) => sims.once('message', resolve));
    progress(`run ${run}: ${WORKERS} simulated workers registered; creating ${ACCOUNTS} accounts`);
    const accountIds = [];
    for (let i = 0; i < ACCOUNTS; i += 1) accountIds.push((await api('POST', '/accounts', { platform: 'bench', label: `bench-${i}` })).id);
    await waitFor('every account live', async () => ((await (await fetch(`${url}/health`)).json()).accounts.live === ACCOUNTS ? true : undefined), 60_000, 200);
    if (LIMITS) {
      for (const accountId of accountIds)
        await api('PUT', '/limits', { scope: 'account', target: accountId, jobType: 'noop', rule: { max: 1_000_000, windowMs: 60_000, concurrency: 1000 } });
      progress(`run ${run}: a limit on each of the ${ACCOUNTS} accounts`);
    }

    client = io(`${url}${Namespace.Client}`, { auth: { token: apiToken }, transports: ['websocket'] });
    await new Promise((resolve, reject) => {
      client.once('connect', resolve);
      client.once('connect_error', reject);
    });
    // A cut socket misses job:done events and the wait below would never end: say so at once.
    let cut;
    client.on('disconnect', (reason) => {
      if (reason === 'io client disconnect') return; // the bench's own, at the end of the run
      cut = reason;
      progress(`run ${run}: the master closed the bench's /client socket (${reason}); job:done events from then on are lost`);
    });
    const doneAt = new Map();
    // The paced phases keep each job's view, to say where the slowest ones spent their time.
    let views;
    client.on(ClientEvent.JobDone, (job) => {
      if (job.status !== 'succeeded') return;
      doneAt.set(job.idempotencyKey ?? job.id, performance.now());
      views?.set(job.idempotencyKey ?? job.id, job);
    });

    // Phase 1: throughput. 20,000 jobs as fast as the API takes them, in bulk requests.
    const stat0 = procStat(master.pid);
    // On PostgreSQL part of the work is the database's own processes: counted apart, beside the master's.
    const dbTicks0 = databaseUrl ? postgresCpuTicks(postgres.pid) : 0;
    const simStat0 = procStat(sims.pid);
    const selfCpu0 = process.cpuUsage();
    let peakRss = stat0.rssBytes;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, procStat(master.pid).rssBytes)), 100);
    const t0 = performance.now();
    const chunk = 500;
    const chunks = [];
    for (let i = 0; i < JOBS; i += chunk)
      chunks.push(
        Array.from({ length: Math.min(chunk, JOBS - i) }, (_, k) => ({
          type: 'noop',
          accountId: accountIds[(i + k) % ACCOUNTS],
          idempotencyKey: `t-${run}-${i + k}`,
        })),
      );
    let next = 0;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (next < chunks.length) await api('POST', '/jobs/bulk', { jobs: chunks[next++] });
      }),
    );
    const submitted = performance.now();
    let lastReport = 0;
    await waitFor(
      'every throughput job to succeed',
      () => {
        if (performance.now() - lastReport > 2000) {
          lastReport = performance.now();
          progress(`run ${run}: ${doneAt.size}/${JOBS} succeeded`);
        }
        return doneAt.size >= JOBS || cut ? true : undefined;
      },
      600_000,
      20,
    );
    if (cut) throw new Error(`run ${run}: the /client socket was closed (${cut}) at ${doneAt.size}/${JOBS} succeeded`);
    const t1 = Math.max(...doneAt.values());
    const stat1 = procStat(master.pid);
    const jobsPerSec = JOBS / ((t1 - t0) / 1000);
    const throughputCpu = ((stat1.cpuTicks - stat0.cpuTicks) / CLK_TCK / ((performance.now() - t0) / 1000)) * 100;
    const elapsedS = (performance.now() - t0) / 1000;
    const simCpu = ((procStat(sims.pid).cpuTicks - simStat0.cpuTicks) / CLK_TCK / elapsedS) * 100;
    const selfCpu = process.cpuUsage(selfCpu0);
    const dbCpu = databaseUrl ? ((postgresCpuTicks(postgres.pid) - dbTicks0) / CLK_TCK / elapsedS) * 100 : undefined;
    progress(
      `run ${run}: ${Math.round(jobsPerSec)} jobs/s (submitted in ${Math.round(submitted - t0)} ms), CPU: master ${Math.round(throughputCpu)} %,${dbCpu === undefined ? '' : ` PostgreSQL ${Math.round(dbCpu)} %,`} workers ${Math.round(simCpu)} %, client ${Math.round(((selfCpu.user + selfCpu.system) / 1e6 / elapsedS) * 100)} %`,
    );

    // Phase 2: latency at a paced offered load, one job per submit, below saturation: over REST (the
    // figure), then over the /client socket's `job:create`.
    const post = pooledPoster(url, apiToken);
    const paced = async (label, submit) => {
      doneAt.clear();
      views = new Map();
      await settle();
      const key = (i) => `${label}-${run}-${i}`;
      const [cpu0, t0] = [procStat(master.pid).cpuTicks, performance.now()];
      const startedAt = await pacedSubmits(PACED_RATE, PACED_SECONDS, (i) =>
        submit({ type: 'noop', accountId: accountIds[i % ACCOUNTS], idempotencyKey: key(i) }),
      );
      await waitFor(`every ${label} paced job to succeed`, () => (doneAt.size >= startedAt.length ? true : undefined), 120_000, 20);
      const latencies = startedAt.map((at, i) => doneAt.get(key(i)) - at);
      const cpuPct = ((procStat(master.pid).cpuTicks - cpu0) / CLK_TCK / ((performance.now() - t0) / 1000)) * 100;
      progress(
        `run ${run}: ${label} paced ${PACED_RATE}/s p50 ${percentile(latencies, 50).toFixed(1)} ms p99 ${percentile(latencies, 99).toFixed(1)} ms, master CPU ${Math.round(cpuPct)} %; ${whereTimeWent(startedAt.map((at, i) => ({ at, doneAt: doneAt.get(key(i)), view: views.get(key(i)) })))}`,
      );
      views = undefined;
      return { p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99) };
    };
    const rest = await paced('rest', (body) => post('/api/v1/jobs', body));
    const socket = await paced('socket', (body) =>
      client
        .timeout(30_000)
        .emitWithAck(ClientRequest.JobCreate, body)
        .then((ack) => {
          if (!ack.ok) throw new Error(`job:create: ${JSON.stringify(ack.error)}`);
        }),
    );
    post.close();
    clearInterval(sampler);
    const result = {
      jobsPerSec,
      p50Ms: rest.p50Ms,
      p99Ms: rest.p99Ms,
      socketP50Ms: socket.p50Ms,
      socketP99Ms: socket.p99Ms,
      masterCpuPct: throughputCpu,
      masterRssMb: peakRss / 1048576,
      ...(dbCpu === undefined ? {} : { dbCpuPct: dbCpu }),
    };
    progress(`run ${run}: peak RSS ${result.masterRssMb.toFixed(0)} MB`);
    return result;
  } finally {
    client?.disconnect();
    sims?.disconnect();
    sims?.kill('SIGKILL');
    master.kill('SIGTERM');
    setTimeout(() => master.kill('SIGKILL'), 10_000).unref();
    await new Promise((resolve) => (master.exitCode !== null ? resolve() : master.once('exit', resolve)));
    rmSync(dir, { recursive: true, force: true });
  }
}

const runs = [];
const peerRuns = [];
const baselineRuns = [];
/** Each backend after the first: its runs, in the same order as `runs`. */
const otherRuns = new Map(BACKENDS.slice(1).map((b) => [b, []]));
const bullmqRun = await loadPeer();
const redis = bullmqRun ? await startRedis() : undefined;
const postgres = BACKENDS.includes('postgres') ? await startPostgres() : undefined;
const runOn = async (backend, run, masterRoot = root) => {
  if (BACKENDS.length > 1 || masterRoot !== root) progress(`run ${run}: ${backend}${masterRoot === root ? '' : ` (baseline ${masterRoot})`}`);
  return oneRun(run, masterRoot, backend === 'postgres' ? await postgres.createDatabase() : undefined);
};
try {
  for (let run = 1; run <= RUNS; run += 1) {
    if (BASELINE_ROOT && run % 2 === 0) baselineRuns.push(await runOn(BACKENDS[0], run, BASELINE_ROOT));
    // Odd runs start with the first backend, even runs end with it, so neither always goes first.
    const order = run % 2 === 1 ? BACKENDS : [...BACKENDS].reverse();
    for (const backend of order) {
      const result = await runOn(backend, run);
      if (backend === BACKENDS[0]) runs.push(result);
      else otherRuns.get(backend).push(result);
    }
    if (BASELINE_ROOT && run % 2 === 1) baselineRuns.push(await runOn(BACKENDS[0], run, BASELINE_ROOT));
    if (redis)
      peerRuns.push(
        await bullmqRun({
          run,
          redisUrl: redis.url,
          jobs: JOBS,
          workers: WORKERS,
          concurrency: CONCURRENCY,
          pacedRate: PACED_RATE,
          pacedSeconds: PACED_SECONDS,
          workersScript: path.join(root, 'bench/bullmq-workers.mjs'),
        }),
      );
  }
} finally {
  await redis?.stop();
  await postgres?.stop();
}
const round = (v) => Math.round(v * 100) / 100;
const pick = (list, k) => Math.round(median(list.map((r) => r[k])) * 10) / 10;
const figures = {
  jobsPerSec: pick(runs, 'jobsPerSec'),
  p50Ms: pick(runs, 'p50Ms'),
  p99Ms: pick(runs, 'p99Ms'),
  socketP50Ms: pick(runs, 'socketP50Ms'),
  socketP99Ms: pick(runs, 'socketP99Ms'),
  masterCpuPct: pick(runs, 'masterCpuPct'),
  masterRssMb: pick(runs, 'masterRssMb'),
  ...(BACKENDS[0] === 'postgres' ? { dbCpuPct: pick(runs, 'dbCpuPct') } : {}),
  runs: RUNS,
  jobs: JOBS,
  workers: WORKERS,
  concurrency: CONCURRENCY,
  accounts: ACCOUNTS,
  limits: LIMITS,
};
if (process.env.BENCH_BACKENDS) figures.backend = BACKENDS[0];
for (const [backend, list] of otherRuns) {
  figures[backend] = Object.fromEntries(
    ['jobsPerSec', 'p50Ms', 'p99Ms', 'socketP50Ms', 'socketP99Ms', 'masterCpuPct', 'masterRssMb', ...(backend === 'postgres' ? ['dbCpuPct'] : [])].map((k) => [
      k,
      pick(list, k),
    ]),
  );
  // Run by run, the two backends back to back, then the median.
  figures[`${backend}Vs${BACKENDS[0][0].toUpperCase()}${BACKENDS[0].slice(1)}`] = {
    throughputRatio: round(median(list.map((r, i) => r.jobsPerSec / runs[i].jobsPerSec))),
    p50Ratio: round(median(list.map((r, i) => r.p50Ms / runs[i].p50Ms))),
    p99Ratio: round(median(list.map((r, i) => r.p99Ms / runs[i].p99Ms))),
  };
}
if (baselineRuns.length) {
  figures.baseline = {
    root: BASELINE_ROOT,
    jobsPerSec: pick(baselineRuns, 'jobsPerSec'),
    p50Ms: pick(baselineRuns, 'p50Ms'),
    p99Ms: pick(baselineRuns, 'p99Ms'),
    masterCpuPct: pick(baselineRuns, 'masterCpuPct'),
    masterRssMb: pick(baselineRuns, 'masterRssMb'),
    ...(BACKENDS[0] === 'postgres' ? { dbCpuPct: pick(baselineRuns, 'dbCpuPct') } : {}),
  };
  // Run by run, as with the peer.
  figures.vsBaseline = {
    throughputRatio: round(median(runs.map((r, i) => r.jobsPerSec / baselineRuns[i].jobsPerSec))),
    p50Ratio: round(median(runs.map((r, i) => r.p50Ms / baselineRuns[i].p50Ms))),
    p99Ratio: round(median(runs.map((r, i) => r.p99Ms / baselineRuns[i].p99Ms))),
  };
}
if (peerRuns.length) {
  // Ratios are taken run by run (ours and theirs back to back), then their median.
  figures.peer = { name: 'bullmq', jobsPerSec: pick(peerRuns, 'jobsPerSec'), p50Ms: pick(peerRuns, 'p50Ms'), p99Ms: pick(peerRuns, 'p99Ms') };
  figures.vsPeer = {
    throughputRatio: round(median(runs.map((r, i) => r.jobsPerSec / peerRuns[i].jobsPerSec))),
    p99Ratio: round(median(runs.map((r, i) => r.p99Ms / peerRuns[i].p99Ms))),
  };
}
process.stdout.write(`${JSON.stringify(figures)}\n`);
process.exit(0);
