// bench:pool-pass — what one scheduling pass costs with queued pool jobs, at a small and a large
// pool of accounts that hold storage states. The master's store and scheduler run in this process
// (no sockets: the pass is what is timed), with one worker whose slots are all taken, so every
// pass picks an account for each pool job and dispatches none, and the next pass repeats it.
// Method: ../shared/BENCHMARKS.md. Progress on stderr, one JSON line on stdout.
//
// BENCH_BASELINE=<dir of another build's packages/master/dist> times that build too, alternating
// with this one in the same run, and reports the ratio.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createLogger } from '@fleetwright/shared';
import { median, progress } from './lib.mjs';

const root = path.resolve(fileURLToPath(new URL('..', import.meta.url)));
const SIZES = (process.env.BENCH_ACCOUNTS ?? '50,5000').split(',').map(Number);
const STATE_BYTES = Number(process.env.BENCH_STATE_BYTES ?? 20_000);
const POOL_JOBS = Number(process.env.BENCH_POOL_JOBS ?? 2);
const PASSES = Number(process.env.BENCH_PASSES ?? 5);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const WORKER_SLOTS = 4;
const POOL = 'bench-pool';
const quiet = createLogger({ name: 'bench', console: false });

async function loadBuild(dist) {
  const load = (file) => import(pathToFileURL(path.join(dist, file)).href);
  const [{ FleetStore }, { Scheduler }, { FleetEvents }] = await Promise.all([
    load('store/fleet-store.js'),
    load('scheduler/scheduler.js'),
    load('events/fleet-events.js'),
  ]);
  // Builds before the async backend ran the scheduler straight on the synchronous store.
  const SqliteBackend = await load('store/sqlite/sqlite-backend.js').then(
    (m) => m.SqliteBackend,
    () => undefined,
  );
  return { FleetStore, Scheduler, FleetEvents, SqliteBackend };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

/** A worker that accepts every assignment and job at once. */
const links = { isConnected: () => true, request: async () => ({ ok: true }), disconnect: () => undefined };

/**
 * The scheduler of `build` on a new store, with the same few operations whatever its API: an async
 * build decides through its DecisionQueue, an older one ran each call synchronously.
 */
async function schedulerOf(build, file) {
  const store = new build.FleetStore(file, randomBytes(32));
  const options = { heartbeatIntervalMs: 10_000, tickIntervalMs: 3_600_000 };
  if (!build.SqliteBackend) {
    const scheduler = new build.Scheduler(store, links, quiet, options, new build.FleetEvents());
    scheduler.start();
    return {
      store,
      tick: async (full) => scheduler.tick(full),
      register: async (reg) => scheduler.workerRegistered(store.workers.upsert(reg), []),
      accountsChanged: () => scheduler.accountsChanged(),
      queue: async (job) => scheduler.jobChanged(store.jobs.create(job).row),
      close: async () => scheduler.close(),
    };
  }
  const backend = new build.SqliteBackend(store, { artifactsDir: path.join(path.dirname(file), 'artifacts'), workerToken: 'bench' });
  const scheduler = new build.Scheduler(backend, links, quiet, options, new build.FleetEvents(), store.browsers);
  await scheduler.start();
  return {
    store,
    tick: (full) => scheduler.tick(full),
    register: (reg) => scheduler.decide(async () => scheduler.workerRegistered(await backend.workers.upsert(reg), [])),
    accountsChanged: () => scheduler.accountsChanged(),
    queue: (job) => scheduler.decide(async () => scheduler.jobChanged((await backend.jobs.create(job)).row)),
    close: () => scheduler.close(),
  };
}

/**
 * A store with `accounts` accounts in one pool, each with a sealed storage state of about
 * STATE_BYTES, owned and delivered to one worker whose WORKER_SLOTS slots run jobs of the first
 * accounts, and POOL_JOBS queued pool jobs.
 */
async function fleet(build, accounts) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-pool-pass-'));
  const fleet = await schedulerOf(build, path.join(dir, 'master.db'));
  const { store } = fleet;
  await fleet.register({
    id: 'bench-w1',
    host: 'bench',
    version: '0',
    capabilities: [{ platform: 'sandbox', jobTypes: ['noop'] }],
    maxAccounts: accounts + 1,
    maxConcurrency: WORKER_SLOTS,
    maxLiveContexts: 20,
  });
  const state = {
    cookies: [
      { name: 'session', value: 'x'.repeat(STATE_BYTES), domain: 'sandbox.test', path: '/', expires: -1, httpOnly: true, secure: false, sameSite: 'Lax' },
    ],
    origins: [],
  };
  const ids = [];
  store.db.transaction(() => {
    for (let i = 0; i < accounts; i++) {
      const account = store.accounts.create({ platform: 'sandbox', tags: [POOL] });
      store.accounts.saveStorageState(account.id, 1, state);
      ids.push(account.id);
    }
  })();
  fleet.accountsChanged();
  await fleet.tick(true);
  await settle();
  const newJob = (accountId, pool) => ({
    type: 'noop',
    platform: 'sandbox',
    accountId,
    pool,
    payload: {},
    priority: 0,
    maxAttempts: 1,
    timeoutMs: 600_000,
    runAfter: 0,
    parentId: null,
    idempotencyKey: null,
  });
  for (const accountId of ids.slice(0, WORKER_SLOTS)) await fleet.queue(newJob(accountId, null));
  await fleet.tick();
  await settle();
  const running = store.jobs.countUnfinished();
  if (running.running + running.dispatched !== WORKER_SLOTS)
    throw new Error(`expected the worker's ${WORKER_SLOTS} slots taken, found ${JSON.stringify(running)}`);
  for (let i = 0; i < POOL_JOBS; i++) store.jobs.create(newJob(null, POOL));
  return {
    store,
    tick: fleet.tick,
    close: async () => {
      await fleet.close();
      // The checkpoint thread is unref'd: a timer keeps this process alive until it has exited.
      const alive = setInterval(() => undefined, 1000);
      await store.close();
      clearInterval(alive);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The first pass (which may load what a build keeps in memory) and the median of the next PASSES,
 * in ms; checks that the passes dispatched nothing.
 */
async function timePasses(build, accounts) {
  const { store, tick, close } = await fleet(build, accounts);
  try {
    const first = process.hrtime.bigint();
    await tick();
    const firstMs = Number(process.hrtime.bigint() - first) / 1e6;
    const times = [];
    for (let i = 0; i < PASSES; i++) {
      const start = process.hrtime.bigint();
      await tick();
      times.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    const queued = store.jobs.countUnfinished().queued;
    if (queued !== POOL_JOBS) throw new Error(`the passes should dispatch nothing; ${queued} of ${POOL_JOBS} pool jobs are still queued`);
    return { firstMs, passMs: median(times) };
  } finally {
    await close();
  }
}

const builds = [['this', await loadBuild(path.join(root, 'packages/master/dist'))]];
if (process.env.BENCH_BASELINE) builds.push(['baseline', await loadBuild(path.resolve(process.env.BENCH_BASELINE))]);

const samples = {};
for (let run = 1; run <= RUNS; run++) {
  for (const accounts of SIZES) {
    for (const [name, build] of run % 2 ? builds : [...builds].reverse()) {
      const { firstMs, passMs } = await timePasses(build, accounts);
      (samples[`${name}@${accounts}`] ??= []).push(passMs);
      (samples[`${name}@${accounts}:first`] ??= []).push(firstMs);
      progress(`run ${run}/${RUNS}: ${name}, ${accounts} accounts: ${passMs.toFixed(3)} ms a pass (first ${firstMs.toFixed(3)} ms)`);
    }
  }
}

const figures = {};
for (const [name] of builds) {
  figures[name] = Object.fromEntries(
    SIZES.flatMap((n) => [
      [`passMs@${n}`, Number(median(samples[`${name}@${n}`]).toFixed(3))],
      [`firstPassMs@${n}`, Number(median(samples[`${name}@${n}:first`]).toFixed(3))],
    ]),
  );
}
if (builds.length === 2) {
  for (const n of SIZES) figures[`ratio@${n}`] = Number((figures.this[`passMs@${n}`] / figures.baseline[`passMs@${n}`]).toFixed(4));
}
console.log(
  JSON.stringify({ bench: 'pool-pass', stateBytes: STATE_BYTES, poolJobs: POOL_JOBS, workerSlots: WORKER_SLOTS, passes: PASSES, runs: RUNS, ...figures }),
);
