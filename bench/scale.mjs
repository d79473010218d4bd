// bench:scale — two real masters (their own processes) on one PostgreSQL and one Redis, simulated
// workers (real socket.io clients, bench/sim-workers.mjs) given both masters' URLs, each holding its
// share of the accounts and heartbeating at the master's interval with its browsers listed, and a
// paced load of no-op jobs over the leader's `/client` socket. Method: ../shared/BENCHMARKS.md.
// Progress on stderr, one JSON line on stdout.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { io } from 'socket.io-client';
import { ClientEvent, ClientRequest, Namespace } from '@fleetwright/shared/contract';
import { fork, freePort, median, pacedSubmits, percentile, pooledPoster, procStat, progress, settle, spawn, startRedis, waitFor } from './lib.mjs';
import { postgresCpuTicks, startPostgres } from './postgres.mjs';

const root = path.resolve(fileURLToPath(new URL('..', import.meta.url)));
const WORKERS = Number(process.env.BENCH_WORKERS ?? 1000);
const ACCOUNTS_PER_WORKER = Number(process.env.BENCH_ACCOUNTS_PER_WORKER ?? 20);
const ACCOUNTS = WORKERS * ACCOUNTS_PER_WORKER;
/**
 * Offered loads, jobs/s: the first is the one the top-level figures describe (the goal's 500);
 * more (`BENCH_RATE=500,150`) are measured on the same fleet in each run and reported under `byRate`,
 * e.g. one below the point where the fleet saturates, whose p99 is not queueing.
 */
const RATES = (process.env.BENCH_RATE ?? '500').split(',').map(Number);
const RATE = RATES[0];
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
/** Paced windows measured one after the other on the same fleet (its setup is the slow part); figures are their medians. */
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
/** A window with heartbeats only, before the paced ones: what holding the fleet costs each master. */
const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 20);
/** Processes the simulated workers are spread over. */
const SIM_PROCESSES = Math.min(WORKERS, Number(process.env.BENCH_SIM_PROCESSES ?? 2));
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
/**
 * The order of the setup: `accounts-first` (the default) creates every account, then starts the
 * workers, which take their share as they register; `workers-first` creates the accounts while all
 * the workers are connected, so the leader hands out thousands of accounts a second as they come.
 */
const SETUP = process.env.BENCH_SETUP ?? 'accounts-first';
if (SETUP !== 'accounts-first' && SETUP !== 'workers-first') throw new Error(`BENCH_SETUP: accounts-first or workers-first (got ${SETUP})`);
const ACCOUNTS_FIRST = SETUP === 'accounts-first';
const GOALS = { leaderCpuPct: 50, p99Ms: 100 };
const CLK_TCK = 100;
const cpuPct = (ticks, ms) => (ticks / CLK_TCK / (ms / 1000)) * 100;
const mb = (bytes) => Math.round(bytes / 104857.6) / 10;
const round1 = (v) => Math.round(v * 10) / 10;

const dirs = [];
const children = [];
const apiToken = `fwa_${randomBytes(12).toString('hex')}`;
const workerToken = `fww_${randomBytes(12).toString('hex')}`;
const secretKey = randomBytes(32).toString('hex');

async function startMaster(id, databaseUrl, redisUrl) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fleet-bench-scale-'));
  dirs.push(dir);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const nodeArgs = (process.env.BENCH_MASTER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, path.join(root, 'packages/cli/dist/main.js'), 'master'], {
    env: {
      ...process.env,
      PORT: String(port),
      FLEET_DATA_DIR: dir,
      FLEET_API_TOKEN: apiToken,
      FLEET_WORKER_TOKEN: workerToken,
      FLEET_SECRET_KEY: secretKey,
      FLEET_LOG_LEVEL: 'error',
      FLEET_DASHBOARD_DIR: '/nonexistent',
      FLEET_DATABASE_URL: databaseUrl,
      FLEET_REDIS_URL: redisUrl,
      FLEET_MASTER_ID: id,
      FLEET_MASTER_PUBLIC_URL: url,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.push(child);
  await waitFor(`master ${id}`, async () => ((await fetch(`${url}/health`)).ok ? true : undefined), 60_000);
  return { id, url, child };
}

const health = async (master) => (await fetch(`${master.url}/health`)).json();
/** `fleet_master_leader_changes_total` of one master: each master counts taking up and losing the lead. */
const leaderChanges = async (master) => {
  const text = await (await fetch(`${master.url}/metrics`)).text();
  return Number(/^fleet_master_leader_changes_total (\d+)/m.exec(text)?.[1] ?? 0);
};
/** How long the setup may go without one more account live before the bench gives up and says what it saw. */
const STALL_MS = Number(process.env.BENCH_STALL_MS ?? 180_000);

function clientSocket(master) {
  const socket = io(`${master.url}${Namespace.Client}`, { auth: { token: apiToken }, transports: ['websocket'] });
  socket.on('disconnect', (reason) => reason !== 'io client disconnect' && progress(`${master.id}'s /client socket was cut (${reason})`));
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

/** CPU of each master and of PostgreSQL over a window, and each master's peak RSS in it. */
function measure(masters, postgresPid) {
  const start = { at: performance.now(), ticks: masters.map((m) => procStat(m.child.pid).cpuTicks), db: postgresCpuTicks(postgresPid) };
  const peak = masters.map((m) => procStat(m.child.pid).rssBytes);
  const sampler = setInterval(() => {
    for (const [i, m] of masters.entries()) peak[i] = Math.max(peak[i], procStat(m.child.pid).rssBytes);
  }, 250);
  return () => {
    clearInterval(sampler);
    const ms = performance.now() - start.at;
    return {
      cpuPct: masters.map((m, i) => cpuPct(procStat(m.child.pid).cpuTicks - start.ticks[i], ms)),
      rssMb: masters.map((_, i) => mb(peak[i])),
      dbCpuPct: cpuPct(postgresCpuTicks(postgresPid) - start.db, ms),
    };
  };
}

// Stopped by hand (Ctrl-C, kill): stop the masters, workers, Redis and PostgreSQL it started too.
for (const signal of ['SIGINT', 'SIGTERM'])
  process.once(signal, () => {
    progress(`${signal}: stopping what the bench started`);
    cleanUp().finally(() => process.exit(130));
  });
const postgres = await startPostgres();
const redis = await startRedis();
let sims = [];
const sockets = [];
try {
  const databaseUrl = await postgres.createDatabase();
  progress(`PostgreSQL on :${postgres.port}, Redis at ${redis.url}; starting two masters`);
  // One after the other: the first takes the lead, the second follows (which one leads is read, not assumed).
  const first = await startMaster('m1', databaseUrl, redis.url);
  const second = await startMaster('m2', databaseUrl, redis.url);
  const leaderId = await waitFor('a leader', async () => (await health(first)).masters?.leader ?? undefined, 30_000, 200);
  const [leader, follower] = leaderId === second.id ? [second, first] : [first, second];
  progress(`${leader.id} leads, ${follower.id} follows`);

  // Every worker is given both URLs; half start on the follower, which refuses them (NOT_LEADER), and move on.
  const perProcess = Math.ceil(WORKERS / SIM_PROCESSES);
  const startWorkers = async () => {
    sims = Array.from({ length: SIM_PROCESSES }, (_, p) =>
      fork(path.join(root, 'bench/sim-workers.mjs'), [], {
        env: {
          ...process.env,
          BENCH_MASTER_URL: `${first.url},${second.url}`,
          BENCH_WORKER_TOKEN: workerToken,
          BENCH_WORKERS: String(Math.min(perProcess, WORKERS - p * perProcess)),
          BENCH_WORKER_OFFSET: String(p * perProcess),
          BENCH_CONCURRENCY: String(CONCURRENCY),
          BENCH_MAX_ACCOUNTS: String(ACCOUNTS_PER_WORKER),
          BENCH_HEARTBEAT_MS: 'master',
          BENCH_BROWSER_REPORTS: '1',
        },
        stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      }),
    );
    children.push(...sims);
    const t0 = performance.now();
    const registered = Promise.all(sims.map((sim) => new Promise((resolve) => sim.once('message', resolve))));
    let timer;
    const stalled = new Promise((_, reject) => {
      timer = setTimeout(async () => {
        const { workers } = await health(leader).catch(() => ({ workers: '?' }));
        const changes = `${leader.id} ${await leaderChanges(leader).catch(() => '?')}, ${follower.id} ${await leaderChanges(follower).catch(() => '?')}`;
        reject(new Error(`the workers did not all register within ${STALL_MS / 1000} s: workers ${JSON.stringify(workers)}, leader changes ${changes}`));
      }, STALL_MS);
    });
    await Promise.race([registered, stalled]).finally(() => clearTimeout(timer));
    progress(`${WORKERS} simulated workers registered with ${leader.id} in ${Math.round(performance.now() - t0)} ms`);
  };
  if (!ACCOUNTS_FIRST) await startWorkers();
  progress(`creating ${ACCOUNTS} accounts`);

  const post = pooledPoster(leader.url, apiToken, 16);
  const accountIds = new Array(ACCOUNTS);
  let created = 0;
  // A refused create is tried again after a pause, as a client would, and counted: the figures say how many there were.
  let refusedCreates = 0;
  const createAccount = async (i) => {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return (await post('/api/v1/accounts', { platform: 'bench', label: `scale-${i}` })).id;
      } catch (error) {
        refusedCreates += 1;
        if (attempt === 5) throw error;
        progress(`account ${i}: ${error.message.slice(0, 200)}; again in 1 s`);
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
  };
  let lastReport = performance.now();
  const t1 = performance.now();
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (created < ACCOUNTS) {
        const i = created++;
        accountIds[i] = await createAccount(i);
        if (performance.now() - lastReport > 5000) {
          lastReport = performance.now();
          progress(`${i + 1}/${ACCOUNTS} accounts created`);
        }
      }
    }),
  );
  progress(`${ACCOUNTS} accounts created in ${Math.round((performance.now() - t1) / 1000)} s`);
  if (ACCOUNTS_FIRST) await startWorkers();
  progress('waiting for every account to be held by a worker');
  let [liveBefore, progressedAt, stalled] = [-1, performance.now(), undefined];
  await waitFor(
    'every account live',
    async () => {
      const { accounts, workers, masters: lead } = await health(leader);
      if (accounts.live > liveBefore) [liveBefore, progressedAt] = [accounts.live, performance.now()];
      const changes = `${leader.id} ${await leaderChanges(leader)}, ${follower.id} ${await leaderChanges(follower)}`;
      if (performance.now() - lastReport > 5000) {
        lastReport = performance.now();
        progress(
          `${accounts.live}/${ACCOUNTS} accounts live; workers online ${workers.online}, offline ${workers.offline}; leader ${lead.leader}; leader changes: ${changes}`,
        );
      }
      // (waitFor takes a throw for "not yet": the stall is returned and thrown after.)
      if (performance.now() - progressedAt > STALL_MS)
        stalled = `no account went live for ${STALL_MS / 1000} s: ${accounts.live}/${ACCOUNTS} live, workers online ${workers.online}, offline ${workers.offline}, leader ${lead.leader}, leader changes ${changes}`;
      return accounts.live === ACCOUNTS || stalled ? true : undefined;
    },
    1_800_000,
    1000,
  );
  if (stalled) throw new Error(stalled);
  const setupLeaderChanges = (await leaderChanges(leader)) + (await leaderChanges(follower));
  progress(
    `every account live ${Math.round((performance.now() - t1) / 1000)} s after the first was created; leader changes so far ${setupLeaderChanges} (1 is the first election)`,
  );

  // Jobs are submitted on the leader's /client socket and seen done there (the figure) and on the follower's (through Redis).
  const submitter = await clientSocket(leader);
  const watcher = await clientSocket(follower);
  sockets.push(submitter, watcher);
  const doneAt = new Map();
  const seenAt = new Map();
  submitter.on(ClientEvent.JobDone, (job) => job.status === 'succeeded' && doneAt.set(job.idempotencyKey, performance.now()));
  watcher.on(ClientEvent.JobDone, (job) => job.status === 'succeeded' && seenAt.set(job.idempotencyKey, performance.now()));

  const masters = [leader, follower];
  await settle();
  progress(`heartbeats only for ${IDLE_SECONDS} s`);
  const idleWindow = measure(masters, postgres.pid);
  await new Promise((resolve) => setTimeout(resolve, IDLE_SECONDS * 1000));
  const idle = idleWindow();
  progress(
    `idle: CPU ${leader.id} (leader) ${Math.round(idle.cpuPct[0])} %, ${follower.id} ${Math.round(idle.cpuPct[1])} %, PostgreSQL ${Math.round(idle.dbCpuPct)} %; RSS ${leader.id} ${idle.rssMb[0]} MB, ${follower.id} ${idle.rssMb[1]} MB`,
  );

  const runsAt = new Map(RATES.map((rate) => [rate, []]));
  const paced = async (run, rate) => {
    doneAt.clear();
    seenAt.clear();
    await settle();
    const key = (i) => `scale-${run}-${rate}-${i}`;
    progress(`run ${run}: ${rate} jobs/s for ${SECONDS} s over ${leader.id}'s /client`);
    const window = measure(masters, postgres.pid);
    const startedAt = await pacedSubmits(rate, SECONDS, (i) =>
      submitter
        .timeout(900_000)
        .emitWithAck(ClientRequest.JobCreate, { type: 'noop', accountId: accountIds[i % ACCOUNTS], idempotencyKey: key(i) })
        .then((reply) => {
          if (!reply.ok) throw new Error(`job:create: ${JSON.stringify(reply.error)}`);
        }),
    );
    let last = 0;
    await waitFor(
      `every job of run ${run} to succeed`,
      () => {
        if (performance.now() - last > 5000) {
          last = performance.now();
          progress(`run ${run}: ${doneAt.size}/${startedAt.length} done`);
        }
        return doneAt.size >= startedAt.length && seenAt.size >= startedAt.length ? true : undefined;
      },
      900_000,
      20,
    );
    const figures = window();
    const latencies = startedAt.map((at, i) => doneAt.get(key(i)) - at);
    const seen = startedAt.map((at, i) => seenAt.get(key(i)) - at);
    const doneJobsPerSec = startedAt.length / ((Math.max(...doneAt.values()) - startedAt[0]) / 1000);
    const result = {
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      followerSeenP99Ms: percentile(seen, 99),
      doneJobsPerSec,
      leaderCpuPct: figures.cpuPct[0],
      followerCpuPct: figures.cpuPct[1],
      dbCpuPct: figures.dbCpuPct,
      leaderRssMb: figures.rssMb[0],
      followerRssMb: figures.rssMb[1],
    };
    runsAt.get(rate).push(result);
    progress(
      `run ${run}: p50 ${result.p50Ms.toFixed(1)} ms p99 ${result.p99Ms.toFixed(1)} ms (seen on ${follower.id}: p99 ${result.followerSeenP99Ms.toFixed(1)} ms), ${Math.round(doneJobsPerSec)} jobs/s done${doneJobsPerSec < rate * 0.95 ? ' (below the offered load: saturated, the latency is queueing)' : ''}; CPU ${leader.id} (leader) ${Math.round(result.leaderCpuPct)} %, ${follower.id} ${Math.round(result.followerCpuPct)} %, PostgreSQL ${Math.round(result.dbCpuPct)} %; peak RSS ${result.leaderRssMb} MB, ${result.followerRssMb} MB`,
    );
  };
  for (let run = 1; run <= RUNS; run += 1) for (const rate of RATES) await paced(run, rate);
  post.close();

  const runs = runsAt.get(RATE);
  const pick = (k, list = runs) => round1(median(list.map((r) => r[k])));
  const figures = {
    leaderCpuPct: pick('leaderCpuPct'),
    p99Ms: pick('p99Ms'),
    p50Ms: pick('p50Ms'),
    accounts: ACCOUNTS,
    workers: WORKERS,
    setup: SETUP,
    refusedCreates,
    // Counted by both masters from their start: 1 is the first election, anything above is a lost and retaken lead.
    leaderChanges: (await leaderChanges(leader)) + (await leaderChanges(follower)),
    leaderRssMb: pick('leaderRssMb'),
    followerCpuPct: pick('followerCpuPct'),
    followerRssMb: pick('followerRssMb'),
    followerSeenP99Ms: pick('followerSeenP99Ms'),
    dbCpuPct: pick('dbCpuPct'),
    doneJobsPerSec: pick('doneJobsPerSec'),
    idle: { leaderCpuPct: round1(idle.cpuPct[0]), followerCpuPct: round1(idle.cpuPct[1]), dbCpuPct: round1(idle.dbCpuPct), seconds: IDLE_SECONDS },
    rate: RATE,
    seconds: SECONDS,
    runs: RUNS,
    // The goal is for the fleet and load; a smaller run says whether its own figures would pass, not that the goal is met.
    goals: {
      ...GOALS,
      atGoalSize: WORKERS >= 1000 && ACCOUNTS_PER_WORKER >= 20 && RATE >= 500,
      figuresPass: median(runs.map((r) => r.leaderCpuPct)) <= GOALS.leaderCpuPct && median(runs.map((r) => r.p99Ms)) < GOALS.p99Ms,
    },
  };
  figures.goals.met = figures.goals.atGoalSize && figures.goals.figuresPass;
  if (RATES.length > 1)
    figures.byRate = Object.fromEntries(
      RATES.slice(1).map((rate) => [
        rate,
        Object.fromEntries(
          ['leaderCpuPct', 'p99Ms', 'p50Ms', 'followerCpuPct', 'followerSeenP99Ms', 'dbCpuPct', 'doneJobsPerSec'].map((k) => [k, pick(k, runsAt.get(rate))]),
        ),
      ]),
    );
  process.stdout.write(`${JSON.stringify(figures)}\n`);
} finally {
  await cleanUp();
}
process.exit(0);

async function cleanUp() {
  for (const socket of sockets) socket.disconnect();
  for (const sim of sims) sim.connected && sim.disconnect();
  for (const child of children) child.exitCode === null && child.kill('SIGTERM');
  await Promise.all(
    children.map(
      (child) =>
        new Promise((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
          child.once('exit', resolve);
        }),
    ),
  );
  await redis.stop();
  await postgres.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
}
