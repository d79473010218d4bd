// bench:density — what a live account costs in each browser mode, how many accounts one worker
// serves with hibernation, what a job on a hibernated account takes, and the shared mode's warm
// overhead against raw Playwright. Method: ../shared/BENCHMARKS.md. Progress on stderr, one JSON
// line on stdout, each figure next to its goal from issue #16.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { SandboxServer } from '@fleetwright/sandbox';
import { createLogger, findChromium } from '@fleetwright/shared';
import { BrowserManager, CHROMIUM_ARGS } from '@fleetwright/worker';
import { processTreePssBytes } from '../packages/worker/dist/browser/process-memory.js';
import { readComments, startInProcessFleet } from './in-process-fleet.mjs';
import { median, percentile, progress, seedCommentsPage, waitFor } from './lib.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const LIVE_LEVELS = (process.env.BENCH_LIVE_LEVELS ?? '10,50,200').split(',').map(Number);
const ACCOUNTS = Number(process.env.BENCH_ACCOUNTS ?? 500);
const MAX_LIVE = Number(process.env.BENCH_MAX_LIVE ?? 20);
const HIBERNATED_JOBS = Number(process.env.BENCH_HIBERNATED_JOBS ?? 50);
const WARM_JOBS = Number(process.env.BENCH_WARM_JOBS ?? 30);
/** Pause before each timed warm step, so neither side runs beside the other's background work (the worker opening its next page, uploading run.log). */
const WARM_SETTLE_MS = Number(process.env.BENCH_WARM_SETTLE_MS ?? 250);
const MODES = (process.env.BENCH_MODES ?? 'persistent,shared').split(',');
/** Account contexts per shared Chromium (the worker's `contextsPerBrowser`); unset: the worker's default. */
const CONTEXTS_PER_BROWSER = process.env.BENCH_CONTEXTS_PER_BROWSER ? Number(process.env.BENCH_CONTEXTS_PER_BROWSER) : undefined;
/** In shared mode, how long a context keeps its next job's page ready (the worker's `sparePageIdleMs`); unset: the worker's default. */
const SPARE_PAGE_IDLE_MS = process.env.BENCH_SPARE_PAGE_IDLE_MS ? Number(process.env.BENCH_SPARE_PAGE_IDLE_MS) : undefined;
/** The `per-browser` phase: contexts per shared Chromium to compare, and the live accounts spread over them. */
const PER_BROWSER_LEVELS = (process.env.BENCH_PER_BROWSER_LEVELS ?? '10,25,50,100').split(',').map(Number);
const PER_BROWSER_LIVE = Number(process.env.BENCH_PER_BROWSER_LIVE ?? 100);
/** The `spare` phase: idle accounts whose memory is read with and without their next job's page ready. */
const SPARE_LIVE = Number(process.env.BENCH_SPARE_LIVE ?? 50);
/**
 * `memory` (PSS levels) and `service` (accounts served, hibernated jobs, warm ratio), both by
 * default; on request `per-browser` (PSS and warm job time per account at each of
 * `PER_BROWSER_LEVELS` contexts per shared Chromium) and `spare` (what an idle account's ready
 * page costs).
 */
const PHASES = (process.env.BENCH_PHASES ?? 'memory,service').split(',');
/** Login jobs in flight at once while serving the accounts: the worker's concurrency, so none waits in the queue past the job-end timeout on a loaded machine. */
const IN_FLIGHT = 4;
/** Contexts opened at once while filling a level: launches overlap as a worker's would. */
const OPEN_CONCURRENCY = 4;
const MB = 1024 * 1024;
const GOALS = {
  sharedPssPerAccountMb: '<= 50',
  persistentPssPerAccountMb: '<= 130',
  accountsPerWorker: '>= 500',
  hibernatedJobP50Ms: '<= 1000',
  sharedWarmRatio: '<= 1.05',
};

const quiet = createLogger({ name: 'bench', console: false });
const round = (value, digits = 0) => (value === null || value === undefined ? null : Number(value.toFixed(digits)));

/** The bench user's signed-in state, taken once from a real login. */
async function signedInState(sandboxUrl) {
  const browser = await chromium.launch({ executablePath: findChromium(), headless: true, args: [...CHROMIUM_ARGS] });
  try {
    const context = await browser.newContext();
    await signIn(await context.newPage(), sandboxUrl);
    return await context.storageState();
  } finally {
    await browser.close();
  }
}

async function signIn(page, sandboxUrl) {
  await page.goto(`${sandboxUrl}/login`);
  await page.fill('input[name=username]', 'bencher');
  await page.fill('input[name=password]', 'bencher-pass-1');
  await Promise.all([page.waitForURL('**/home'), page.click('#login-submit')]);
}

/**
 * PSS per live account with `live` accounts open in `mode`, each with a page on the comments page,
 * measured by the worker's own browser layer (PSS over its browsers' process trees). Null when the
 * level would not fit in this host's memory.
 */
async function pssPerAccount(mode, live, sandboxUrl, state, knownPerAccountMb) {
  const needMb = knownPerAccountMb ? knownPerAccountMb * live * 1.3 : 0;
  if (needMb > (os.freemem() / MB) * 0.8) return null;
  const level = await openLevel({ mode, live, contextsPerBrowser: CONTEXTS_PER_BROWSER, sandboxUrl, state });
  try {
    return exactPssPerAccountMb(level);
  } finally {
    await level.close();
  }
}

/**
 * The worker's own browser layer (`BrowserManager`) with `live` accounts open in `mode`, each
 * signed in (a restored storage state) with a page on the comments page, 2 s after the last opened.
 */
async function openLevel({ mode, live, contextsPerBrowser, sandboxUrl, state, keepPages = true, sparePageIdleMs }) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fleet-bench-density-'));
  const browsers = new BrowserManager({
    dataDir: dir,
    chromiumPath: findChromium(),
    browserMode: mode,
    maxLiveContexts: live,
    contextIdleMs: 0,
    memoryLimitMb: 1_000_000,
    ...(contextsPerBrowser ? { contextsPerBrowser } : {}),
    ...(sparePageIdleMs !== undefined ? { sparePageIdleMs } : {}),
    logger: quiet,
  });
  const close = async () => {
    await browsers.close();
    rmSync(dir, { recursive: true, force: true });
  };
  const profiles = Array.from({ length: live }, (_, i) => ({
    accountId: `acc-${i}`,
    epoch: 1,
    proxy: null,
    deviceProfile: null,
    storageState: state,
    storageStateVersion: 1,
    fenceToken: 1,
  }));
  try {
    let next = 0;
    const opener = async () => {
      while (next < live) {
        const page = await browsers.newPage(profiles[next++]);
        await readComments(page, sandboxUrl);
        if (!keepPages) await page.close();
      }
    };
    await Promise.all(Array.from({ length: OPEN_CONCURRENCY }, opener));
    await new Promise((resolve) => setTimeout(resolve, 2000)); // start-up allocations settle
  } catch (error) {
    await close();
    throw error;
  }
  return { browsers, profiles, close };
}

/** Exact PSS (read in full: the worker's own reading scales RSS between its full reads) over the level's browsers, per account. */
function exactPssPerAccountMb(level) {
  const pids = new Set(level.profiles.map((p) => level.browsers.browserPidOf(p.accountId)).filter((pid) => pid !== undefined));
  return processTreePssBytes(pids) / level.profiles.length / MB;
}

/**
 * What the next job's ready page costs an idle account in shared mode: `SPARE_LIVE` accounts that
 * each ran one job and are idle, with `sparePageIdleMs` 0 (no page kept) and the default,
 * alternating, `RUNS` times; exact PSS per account.
 */
async function sparePhase() {
  const sandbox = new SandboxServer();
  await sandbox.start();
  await seedCommentsPage(sandbox.url);
  const state = await signedInState(sandbox.url);
  const samples = { none: [], ready: [] };
  try {
    for (let run = 1; run <= RUNS; run += 1) {
      for (const variant of ['none', 'ready']) {
        const level = await openLevel({
          mode: 'shared',
          live: SPARE_LIVE,
          contextsPerBrowser: CONTEXTS_PER_BROWSER,
          sandboxUrl: sandbox.url,
          state,
          keepPages: false,
          ...(variant === 'none' ? { sparePageIdleMs: 0 } : {}),
        });
        try {
          samples[variant].push(exactPssPerAccountMb(level));
          progress(`run ${run} spare ${variant}: ${samples[variant].at(-1).toFixed(1)} MB PSS per idle account (${SPARE_LIVE} live)`);
        } finally {
          await level.close();
        }
      }
    }
  } finally {
    await sandbox.close();
  }
  return { live: SPARE_LIVE, idleNoPageMb: round(median(samples.none), 1), idleWithReadyPageMb: round(median(samples.ready), 1) };
}

/**
 * Contexts per shared Chromium: `PER_BROWSER_LIVE` accounts spread over browsers of each size in
 * `PER_BROWSER_LEVELS`; PSS per account, then `WARM_JOBS` warm jobs (newPage, read the comments,
 * close) 4 at a time over the accounts, as a worker at its concurrency runs them. Levels alternate
 * within each run; medians over `RUNS`.
 */
async function perBrowserPhase() {
  const sandbox = new SandboxServer();
  await sandbox.start();
  await seedCommentsPage(sandbox.url);
  const state = await signedInState(sandbox.url);
  const samples = Object.fromEntries(PER_BROWSER_LEVELS.map((n) => [n, { pss: [], warmP50: [], warmP99: [] }]));
  try {
    for (let run = 1; run <= RUNS; run += 1) {
      for (const n of PER_BROWSER_LEVELS) {
        const level = await openLevel({ mode: 'shared', live: PER_BROWSER_LIVE, contextsPerBrowser: n, sandboxUrl: sandbox.url, state });
        try {
          const mb = exactPssPerAccountMb(level);
          const times = [];
          let job = 0;
          const runner = async () => {
            while (job < WARM_JOBS) {
              const profile = level.profiles[(job++ * 7) % PER_BROWSER_LIVE];
              const t = performance.now();
              const page = await level.browsers.newPage(profile);
              await readComments(page, sandbox.url);
              await page.close();
              times.push(performance.now() - t);
            }
          };
          await Promise.all(Array.from({ length: IN_FLIGHT }, runner));
          samples[n].pss.push(mb);
          samples[n].warmP50.push(median(times));
          samples[n].warmP99.push(percentile(times, 99));
          progress(
            `run ${run} per-browser ${n}: ${mb.toFixed(1)} MB PSS per account, warm job p50 ${median(times).toFixed(0)} ms p99 ${percentile(times, 99).toFixed(0)} ms (${PER_BROWSER_LIVE} live)`,
          );
        } finally {
          await level.close();
        }
      }
    }
  } finally {
    await sandbox.close();
  }
  return Object.fromEntries(
    PER_BROWSER_LEVELS.map((n) => [
      n,
      {
        browsers: Math.ceil(PER_BROWSER_LIVE / n),
        pssPerAccountMb: round(median(samples[n].pss), 1),
        warmJobP50Ms: round(median(samples[n].warmP50)),
        warmJobP99Ms: round(median(samples[n].warmP99)),
      },
    ]),
  );
}

/** The PSS levels of both modes, `RUNS` times, modes alternating; medians per level. */
async function memoryPhase() {
  const sandbox = new SandboxServer();
  await sandbox.start();
  await seedCommentsPage(sandbox.url);
  const state = await signedInState(sandbox.url);
  const samples = Object.fromEntries(MODES.map((m) => [m, Object.fromEntries(LIVE_LEVELS.map((l) => [l, []]))]));
  try {
    for (let run = 1; run <= RUNS; run += 1) {
      for (const mode of MODES) {
        let known;
        for (const live of LIVE_LEVELS) {
          const mb = await pssPerAccount(mode, live, sandbox.url, state, known);
          if (mb !== null) known = mb;
          samples[mode][live].push(mb);
          progress(
            `run ${run} memory ${mode}: ${mb === null ? 'skipped (would not fit in host memory)' : `${mb.toFixed(1)} MB PSS per account`} at ${live} live`,
          );
        }
      }
    }
  } finally {
    await sandbox.close();
  }
  return Object.fromEntries(
    MODES.map((mode) => [
      mode,
      Object.fromEntries(
        LIVE_LEVELS.map((live) => {
          const measured = samples[mode][live].filter((v) => v !== null);
          return [live, measured.length > 0 ? round(median(measured), 1) : null];
        }),
      ),
    ]),
  );
}

/**
 * One worker in `mode`, capped at `MAX_LIVE` live contexts: `ACCOUNTS` accounts, one login job
 * each; then jobs on accounts that were hibernated, one at a time (restore plus run); in shared
 * mode also the warm overhead against a raw context of a shared browser.
 */
async function servicePhase(mode) {
  const fleet = await startInProcessFleet({
    prefix: 'fleet-bench-density-',
    maxLiveContexts: MAX_LIVE,
    workerOptions: {
      browserMode: mode,
      maxAccounts: ACCOUNTS + 10,
      maxConcurrency: 4,
      contextIdleMs: 0,
      ...(CONTEXTS_PER_BROWSER ? { contextsPerBrowser: CONTEXTS_PER_BROWSER } : {}),
      ...(SPARE_PAGE_IDLE_MS !== undefined ? { sparePageIdleMs: SPARE_PAGE_IDLE_MS } : {}),
    },
  });
  const { sandbox, worker, api, endOf } = fleet;
  const runJob = async (accountId, type) => {
    const start = performance.now();
    const job = await api('POST', '/jobs', { type, accountId });
    const done = await endOf(job.id);
    return { ms: performance.now() - start, ok: done.status === 'succeeded', error: done.error };
  };
  try {
    let warm;
    if (mode === 'shared') {
      const account = await api('POST', '/accounts', { platform: 'sandbox', credentials: { username: 'bencher', password: 'bencher-pass-1' } });
      if (!(await runJob(account.id, 'login')).ok) throw new Error('the warm account did not log in');
      const browser = await chromium.launch({ executablePath: findChromium(), headless: true, args: [...CHROMIUM_ARGS] });
      const raw = await browser.newContext();
      await signIn(await raw.newPage(), sandbox.url);
      // The raw side done the way the worker does it: its next page opened ahead, off the clock.
      const rawReady = await browser.newContext();
      await signIn(await rawReady.newPage(), sandbox.url);
      let readyPage = await rawReady.newPage();
      const settle = () => new Promise((resolve) => setTimeout(resolve, WARM_SETTLE_MS));
      const ratios = [];
      const readyRatios = [];
      for (let run = 1; run <= RUNS; run += 1) {
        const rawTimes = [];
        const readyTimes = [];
        const jobTimes = [];
        for (let i = 0; i < WARM_JOBS; i += 1) {
          await settle();
          const t = performance.now();
          const page = await raw.newPage();
          await readComments(page, sandbox.url);
          await page.close();
          rawTimes.push(performance.now() - t);
          await settle();
          const r = performance.now();
          await readComments(readyPage, sandbox.url);
          await readyPage.close();
          readyTimes.push(performance.now() - r);
          readyPage = await rawReady.newPage();
          await settle();
          const job = await runJob(account.id, 'read_comments');
          if (!job.ok) throw new Error(`warm job failed: ${JSON.stringify(job.error)}`);
          jobTimes.push(job.ms);
        }
        ratios.push(median(jobTimes) / median(rawTimes));
        readyRatios.push(median(jobTimes) / median(readyTimes));
        progress(
          `run ${run} shared warm: ratio ${ratios.at(-1).toFixed(2)} (raw p50 ${median(rawTimes).toFixed(0)} ms, job p50 ${median(jobTimes).toFixed(0)} ms); against a raw page opened ahead ${readyRatios.at(-1).toFixed(2)} (p50 ${median(readyTimes).toFixed(0)} ms)`,
        );
      }
      await browser.close();
      await api('DELETE', `/accounts/${account.id}`).catch(() => undefined);
      warm = {
        sharedWarmRatio: round(median(ratios), 3),
        perRun: ratios.map((r) => round(r, 3)),
        againstRawPageOpenedAhead: round(median(readyRatios), 3),
        againstRawPageOpenedAheadPerRun: readyRatios.map((r) => round(r, 3)),
      };
    }

    const ids = [];
    for (let i = 0; i < ACCOUNTS; i += 1)
      ids.push((await api('POST', '/accounts', { platform: 'sandbox', credentials: { username: 'bencher', password: 'bencher-pass-1' } })).id);
    await waitFor(
      'accounts assigned to the worker',
      async () => ((await api('GET', '/workers')).items.find((w) => w.id === 'bench-w1')?.accounts >= ACCOUNTS ? true : undefined),
      600_000,
      500,
    );
    let maxLive = 0;
    const sampler = setInterval(() => (maxLive = Math.max(maxLive, worker.browsers.liveCount)), 20);
    const started = performance.now();
    let served = 0;
    let failed = 0;
    let next = 0;
    const submitter = async () => {
      while (next < ids.length) {
        const job = await runJob(ids[next++], 'login');
        if (job.ok) served += 1;
        else failed += 1;
        if ((served + failed) % 50 === 0)
          progress(`${mode}: ${served + failed}/${ACCOUNTS} accounts served (${failed} failed), ${worker.browsers.liveCount} live`);
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, submitter));
    clearInterval(sampler);
    const serveSeconds = (performance.now() - started) / 1000;
    progress(
      `${mode}: ${served} accounts served in ${serveSeconds.toFixed(0)} s, at most ${maxLive} live (cap ${MAX_LIVE}), ${worker.browsers.hibernatedCount} hibernated`,
    );

    // Jobs on hibernated accounts, one at a time, so each time is restore plus run and no queueing.
    const hibernated = ids.filter((id) => !worker.browsers.liveAccountIds().includes(id));
    const sample = hibernated.filter((_, i) => i % Math.max(1, Math.floor(hibernated.length / HIBERNATED_JOBS)) === 0).slice(0, HIBERNATED_JOBS);
    const times = [];
    for (const id of sample) {
      if (worker.browsers.liveAccountIds().includes(id)) continue;
      const job = await runJob(id, 'read_comments');
      if (!job.ok) throw new Error(`a job on a hibernated account failed: ${JSON.stringify(job.error)}`);
      times.push(job.ms);
    }
    progress(`${mode}: job on a hibernated account p50 ${median(times).toFixed(0)} ms, p99 ${percentile(times, 99).toFixed(0)} ms over ${times.length}`);
    return {
      accountsServed: served,
      failed,
      maxLiveObserved: maxLive,
      serveSeconds: round(serveSeconds),
      hibernatedJobP50Ms: round(median(times)),
      hibernatedJobP99Ms: round(percentile(times, 99)),
      hibernatedJobs: times.length,
      ...(warm ? { warm } : {}),
    };
  } finally {
    await fleet.close();
  }
}

const memory = PHASES.includes('memory') ? await memoryPhase() : undefined;
const perBrowser = PHASES.includes('per-browser') ? await perBrowserPhase() : undefined;
const spare = PHASES.includes('spare') ? await sparePhase() : undefined;
const service = {};
if (PHASES.includes('service')) for (const mode of MODES) service[mode] = await servicePhase(mode);
const served = MODES.map((m) => service[m]).filter(Boolean);

const figures = {
  sharedPssPerAccountMb: memory?.shared?.[50] ?? null,
  persistentPssPerAccountMb: memory?.persistent?.[50] ?? null,
  accountsPerWorker: served.length > 0 ? Math.min(...served.map((s) => s.accountsServed)) : null,
  hibernatedJobP50Ms: served.length > 0 ? Math.max(...served.map((s) => s.hibernatedJobP50Ms)) : null,
  sharedWarmRatio: service.shared?.warm.sharedWarmRatio ?? null,
};
const met = (value, goal) => {
  if (value === null) return null;
  const [op, bound] = goal.split(' ');
  return op === '<=' ? value <= Number(bound) : value >= Number(bound);
};
const result = {
  ...figures,
  goals: Object.fromEntries(Object.entries(GOALS).map(([k, goal]) => [k, { goal, met: met(figures[k], goal) }])),
  pssPerAccountMb: memory ?? null,
  ...(spare ? { sparePage: spare } : {}),
  ...(perBrowser ? { contextsPerBrowser: { live: PER_BROWSER_LIVE, warmJobs: WARM_JOBS, levels: perBrowser } } : {}),
  service,
  phases: PHASES,
  accounts: ACCOUNTS,
  maxLiveContexts: MAX_LIVE,
  runs: RUNS,
};
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0);
