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
import { readComments, startInProcessFleet } from './in-process-fleet.mjs';
import { median, percentile, progress, seedCommentsPage, waitFor } from './lib.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const LIVE_LEVELS = (process.env.BENCH_LIVE_LEVELS ?? '10,50,200').split(',').map(Number);
const ACCOUNTS = Number(process.env.BENCH_ACCOUNTS ?? 500);
const MAX_LIVE = Number(process.env.BENCH_MAX_LIVE ?? 20);
const HIBERNATED_JOBS = Number(process.env.BENCH_HIBERNATED_JOBS ?? 50);
const WARM_JOBS = Number(process.env.BENCH_WARM_JOBS ?? 30);
const MODES = (process.env.BENCH_MODES ?? 'persistent,shared').split(',');
/** Account contexts per shared Chromium (the worker's `contextsPerBrowser`); unset: the worker's default. */
const CONTEXTS_PER_BROWSER = process.env.BENCH_CONTEXTS_PER_BROWSER ? Number(process.env.BENCH_CONTEXTS_PER_BROWSER) : undefined;
/** `memory` (PSS levels) and `service` (accounts served, hibernated jobs, warm ratio); both by default. */
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
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fleet-bench-density-'));
  const browsers = new BrowserManager({
    dataDir: dir,
    chromiumPath: findChromium(),
    browserMode: mode,
    maxLiveContexts: live,
    contextIdleMs: 0,
    memoryLimitMb: 1_000_000,
    ...(CONTEXTS_PER_BROWSER ? { contextsPerBrowser: CONTEXTS_PER_BROWSER } : {}),
    logger: quiet,
  });
  try {
    const pages = [];
    let next = 0;
    const opener = async () => {
      while (next < live) {
        const i = next++;
        const profile = { accountId: `acc-${i}`, epoch: 1, proxy: null, deviceProfile: null, storageState: state, storageStateVersion: 1, fenceToken: 1 };
        const page = await browsers.newPage(profile);
        await readComments(page, sandboxUrl);
        pages.push(page);
      }
    };
    await Promise.all(Array.from({ length: OPEN_CONCURRENCY }, opener));
    await new Promise((resolve) => setTimeout(resolve, 2000)); // start-up allocations settle
    const used = browsers.memoryReading().usedBytes;
    return used / live / MB;
  } finally {
    await browsers.close();
    rmSync(dir, { recursive: true, force: true });
  }
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
    workerOptions: { browserMode: mode, maxAccounts: ACCOUNTS + 10, maxConcurrency: 4, contextIdleMs: 0 },
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
      const ratios = [];
      for (let run = 1; run <= RUNS; run += 1) {
        const rawTimes = [];
        const jobTimes = [];
        for (let i = 0; i < WARM_JOBS; i += 1) {
          const t = performance.now();
          const page = await raw.newPage();
          await readComments(page, sandbox.url);
          await page.close();
          rawTimes.push(performance.now() - t);
          const job = await runJob(account.id, 'read_comments');
          if (!job.ok) throw new Error(`warm job failed: ${JSON.stringify(job.error)}`);
          jobTimes.push(job.ms);
        }
        ratios.push(median(jobTimes) / median(rawTimes));
        progress(
          `run ${run} shared warm: ratio ${ratios.at(-1).toFixed(2)} (raw p50 ${median(rawTimes).toFixed(0)} ms, job p50 ${median(jobTimes).toFixed(0)} ms)`,
        );
      }
      await browser.close();
      await api('DELETE', `/accounts/${account.id}`).catch(() => undefined);
      warm = { sharedWarmRatio: round(median(ratios), 3), perRun: ratios.map((r) => round(r, 3)) };
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
  service,
  phases: PHASES,
  accounts: ACCOUNTS,
  maxLiveContexts: MAX_LIVE,
  runs: RUNS,
};
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0);
