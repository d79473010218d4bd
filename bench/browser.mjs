// bench:browser — what the fleet adds around a browser job, and what a live context costs.
// Method: ../shared/BENCHMARKS.md. Progress on stderr, one JSON line on stdout.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ClientEvent, ClientRequest, TRACE_MODES, readEnum } from '@fleetwright/shared';
import * as ourFleet from './in-process-fleet.mjs';
import { median, percentile, progress, waitFor } from './lib.mjs';

const WARM_JOBS = Number(process.env.BENCH_WARM_JOBS ?? 30);
const COLD_JOBS = Number(process.env.BENCH_COLD_JOBS ?? 10);
const LIVE = Number(process.env.BENCH_LIVE_CONTEXTS ?? 10);
const HIBERNATION_ACCOUNTS = Number(process.env.BENCH_HIBERNATION_ACCOUNTS ?? 30);
const HIBERNATION_LIVE = Number(process.env.BENCH_HIBERNATION_LIVE ?? 5);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
// The worker's trace mode: the default configuration unless FLEET_TRACE says otherwise.
const TRACE = readEnum(process.env, 'FLEET_TRACE', TRACE_MODES, 'full-on-retry');
// A second trace mode measured in the same warm loop (a third series, interleaved); '' skips it.
const COMPARE_TRACE = process.env.BENCH_COMPARE_TRACE === '' ? undefined : readEnum(process.env, 'BENCH_COMPARE_TRACE', TRACE_MODES, 'full');
// A series with a /client socket watching the account's live view (the screencast runs); '0' skips it.
const COMPARE_WATCHING = process.env.BENCH_COMPARE_WATCHING !== '0';
// The watched series alternates blocks of this many pairs watched and not watched, so both meet the same machine.
const WATCH_BLOCK = Number(process.env.BENCH_WATCH_BLOCK ?? 5);
// Pairs in the watched series (half of them watched).
const WATCH_JOBS = Number(process.env.BENCH_WATCH_JOBS ?? 2 * WARM_JOBS);
// A series with every job recorded (FLEET_RECORD_VIDEO=always on the runner); '1' runs it.
const COMPARE_VIDEO = process.env.BENCH_COMPARE_VIDEO === '1';
/**
 * Another build's checkout (its packages built), measured alternating with this one in the same
 * run: `BENCH_BASELINE_ROOT=<dir>`. Its master, worker and sandbox run through its own
 * bench/in-process-fleet.mjs; the series that build may not have (trace comparison, watching,
 * video) are measured on this build only.
 */
const BASELINE_ROOT = process.env.BENCH_BASELINE_ROOT ? path.resolve(process.env.BENCH_BASELINE_ROOT) : undefined;
const root = path.resolve(fileURLToPath(new URL('..', import.meta.url)));

function pssOfTree(rootPid) {
  const children = new Map();
  for (const entry of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {}
  }
  let total = 0;
  const stack = [...(children.get(rootPid) ?? [])];
  while (stack.length) {
    const pid = stack.pop();
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmd.includes('chrom')) total += Number(/^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? 0) * 1024;
    } catch {}
    stack.push(...(children.get(pid) ?? []));
  }
  return total;
}

/** One run of every phase on a fresh sandbox, master and worker, of this build or (`baseline`) the other. */
async function oneRun(run, baseline = false) {
  const { openRawContext, readComments, startInProcessFleet } = baseline ? await import(path.join(BASELINE_ROOT, 'bench/in-process-fleet.mjs')) : ourFleet;
  const runLabel = baseline ? `${run} (baseline)` : `${run}`;
  const fleet = await startInProcessFleet({ prefix: 'fleet-bench-browser-', trace: TRACE, maxLiveContexts: LIVE + 2 });
  const { dir, sandbox, worker, api, client, endOf } = fleet;
  // Jobs are timed from submit until the client sees them succeeded.
  const runJob = async (accountId, type) => {
    const start = performance.now();
    const job = await api('POST', '/jobs', { type, accountId });
    const done = await endOf(job.id);
    if (done.status !== 'succeeded') throw new Error(`job failed: ${JSON.stringify(done.error)}`);
    return performance.now() - start;
  };

  try {
    const account = await api('POST', '/accounts', { platform: 'sandbox', credentials: { username: 'bencher', password: 'bencher-pass-1' } });
    await runJob(account.id, 'login');

    // (a) warm overhead: raw Playwright in an open persistent context vs a job on a warm worker, interleaved.
    const raw = await openRawContext(dir, sandbox.url);
    // The compared mode is set on the worker's runner (the bench reaches into it; each job reads the
    // mode when it starts) and measured after the default, in its own interleaved series: a full
    // trace leaves its DOM snapshotter in the context, which later jobs would otherwise carry.
    const runnerOptions = worker.runner.options;
    const warmSeries = async (label) => {
      const rawTimes = [];
      const jobTimes = [];
      for (let i = 0; i < WARM_JOBS; i += 1) {
        const t = performance.now();
        const page = await raw.newPage();
        await readComments(page, sandbox.url);
        await page.close();
        rawTimes.push(performance.now() - t);
        jobTimes.push(await runJob(account.id, 'read_comments'));
        if (i % 10 === 9)
          progress(
            `run ${runLabel} warm, trace ${label}: ${i + 1}/${WARM_JOBS} pairs (raw p50 ${median(rawTimes).toFixed(0)} ms, job p50 ${median(jobTimes).toFixed(0)} ms)`,
          );
      }
      return { rawTimes, jobTimes };
    };
    const { rawTimes, jobTimes } = await warmSeries(TRACE);
    let compared;
    if (COMPARE_TRACE && !baseline) {
      runnerOptions.trace = COMPARE_TRACE;
      compared = await warmSeries(COMPARE_TRACE);
      runnerOptions.trace = TRACE;
    }
    let watched;
    let unwatched;
    let framesPerJob;
    if (COMPARE_WATCHING && !baseline) {
      // Blocks of watched and unwatched pairs alternate; the watch is set before a block's first pair.
      let frames = 0;
      const count = () => (frames += 1);
      client.on(ClientEvent.LiveFrame, count);
      watched = { rawTimes: [], jobTimes: [] };
      unwatched = { rawTimes: [], jobTimes: [] };
      for (let i = 0; i < WATCH_JOBS; i += 1) {
        const watching = Math.floor(i / WATCH_BLOCK) % 2 === 1;
        if (i % WATCH_BLOCK === 0) {
          const request = watching ? ClientRequest.LiveWatch : ClientRequest.LiveUnwatch;
          const ack = await client.timeout(10_000).emitWithAck(request, { accountId: account.id });
          if (!ack.ok) throw new Error(`${request} refused: ${JSON.stringify(ack.error)}`);
          await new Promise((resolve) => setTimeout(resolve, 300));
        }
        const series = watching ? watched : unwatched;
        const t = performance.now();
        const page = await raw.newPage();
        await readComments(page, sandbox.url);
        await page.close();
        series.rawTimes.push(performance.now() - t);
        series.jobTimes.push(await runJob(account.id, 'read_comments'));
      }
      await client.timeout(10_000).emitWithAck(ClientRequest.LiveUnwatch, { accountId: account.id });
      client.off(ClientEvent.LiveFrame, count);
      framesPerJob = frames / watched.jobTimes.length;
      progress(
        `run ${runLabel} watched blocks: job p50 ${median(watched.jobTimes).toFixed(0)} ms watched, ${median(unwatched.jobTimes).toFixed(0)} ms not, ${frames} frames over ${watched.jobTimes.length} watched jobs`,
      );
    }
    let recorded;
    if (COMPARE_VIDEO && !baseline) {
      runnerOptions.recordVideo = 'always';
      recorded = await warmSeries('default, video always');
      runnerOptions.recordVideo = 'off';
    }
    await raw.close();

    // (b) cold start: the account's context is closed (state kept at the master), then a job.
    const coldTimes = [];
    for (let i = 0; i < COLD_JOBS; i += 1) {
      await worker.browsers.closeContext(account.id);
      coldTimes.push(await runJob(account.id, 'read_comments'));
    }
    progress(`run ${runLabel} cold: p50 ${median(coldTimes).toFixed(0)} ms over ${COLD_JOBS}`);

    // (c) memory: PSS of every Chromium process of this worker with LIVE contexts open.
    const accounts = [account.id];
    for (let i = 1; i < LIVE; i += 1)
      accounts.push((await api('POST', '/accounts', { platform: 'sandbox', credentials: { username: 'bencher', password: 'bencher-pass-1' } })).id);
    await Promise.all(accounts.map((id) => runJob(id, 'login')));
    await waitFor('the live contexts', () => (worker.browsers.liveCount >= LIVE ? true : undefined), 60_000);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const pssPerContextMb = pssOfTree(process.pid) / LIVE / 1048576;
    progress(`run ${runLabel} memory: ${pssPerContextMb.toFixed(0)} MB PSS per context with ${worker.browsers.liveCount} live`);
    await worker.close();

    // Hibernation: many accounts through a worker capped at a few live contexts.
    const capped = fleet.startWorker('bench-w2', { maxConcurrency: 2, maxAccounts: 1000, maxLiveContexts: HIBERNATION_LIVE });
    let maxLive = 0;
    const sampler = setInterval(() => (maxLive = Math.max(maxLive, capped.browsers.liveCount)), 20);
    const many = [];
    for (let i = 0; i < HIBERNATION_ACCOUNTS; i += 1)
      many.push((await api('POST', '/accounts', { platform: 'sandbox', credentials: { username: 'bencher', password: 'bencher-pass-1' } })).id);
    await waitFor(
      'accounts to move to the capped worker',
      async () => ((await api('GET', '/workers')).items.find((w) => w.id === 'bench-w2')?.accounts >= HIBERNATION_ACCOUNTS ? true : undefined),
      120_000,
      200,
    );
    const hibernationTimes = await Promise.all(many.map((id) => runJob(id, 'login')));
    clearInterval(sampler);
    progress(
      `run ${runLabel} hibernation: ${HIBERNATION_ACCOUNTS} accounts served with at most ${maxLive} live contexts (cap ${HIBERNATION_LIVE}), job p50 ${median(hibernationTimes).toFixed(0)} ms`,
    );
    await capped.close();

    const result = {
      warmOverheadRatio: median(jobTimes) / median(rawTimes),
      rawWarmP50Ms: median(rawTimes),
      jobWarmP50Ms: median(jobTimes),
      jobWarmP99Ms: percentile(jobTimes, 99),
      ...(compared ? { compareRatio: median(compared.jobTimes) / median(compared.rawTimes) } : {}),
      ...(recorded ? { videoRatio: median(recorded.jobTimes) / median(recorded.rawTimes) } : {}),
      ...(watched
        ? {
            watchedRatio: median(watched.jobTimes) / median(watched.rawTimes),
            unwatchedRatio: median(unwatched.jobTimes) / median(unwatched.rawTimes),
            watchedJobP50Ms: median(watched.jobTimes),
            unwatchedJobP50Ms: median(unwatched.jobTimes),
            watchedVsUnwatched: median(watched.jobTimes) / median(unwatched.jobTimes),
            framesPerJob,
          }
        : {}),
      coldStartP50Ms: median(coldTimes),
      pssPerContextMb,
      maxLiveObserved: maxLive,
    };
    progress(
      `run ${runLabel}: warm ratio ${result.warmOverheadRatio.toFixed(2)} (raw ${result.rawWarmP50Ms.toFixed(0)} ms, job ${result.jobWarmP50Ms.toFixed(0)} ms)${COMPARE_TRACE ? `, with trace ${COMPARE_TRACE} ${result.compareRatio.toFixed(2)}` : ''}${watched ? `, watched ${result.watchedRatio.toFixed(2)} vs not ${result.unwatchedRatio.toFixed(2)} (job p50 ×${result.watchedVsUnwatched.toFixed(2)})` : ''}${recorded ? `, video ${result.videoRatio.toFixed(2)}` : ''}, cold p50 ${result.coldStartP50Ms.toFixed(0)} ms`,
    );
    return result;
  } finally {
    await fleet.close();
  }
}

const runs = [];
const baselineRuns = [];
for (let run = 1; run <= RUNS; run += 1) {
  // Alternating which build goes first, so neither always meets a warmer machine.
  if (BASELINE_ROOT && run % 2 === 0) baselineRuns.push(await oneRun(run, true));
  runs.push(await oneRun(run));
  if (BASELINE_ROOT && run % 2 === 1) baselineRuns.push(await oneRun(run, true));
}
const pick = (k, digits = 0) => Number(median(runs.map((r) => r[k])).toFixed(digits));
const perRun = (k, digits = 0) => runs.map((r) => Number(r[k].toFixed(digits)));
const result = {
  warmOverheadRatio: pick('warmOverheadRatio', 2),
  rawWarmP50Ms: pick('rawWarmP50Ms'),
  jobWarmP50Ms: pick('jobWarmP50Ms'),
  jobWarmP99Ms: pick('jobWarmP99Ms'),
  coldStartP50Ms: pick('coldStartP50Ms'),
  pssPerContextMb: pick('pssPerContextMb'),
  trace: TRACE,
  ...(COMPARE_TRACE ? { compare: { trace: COMPARE_TRACE, warmOverheadRatio: pick('compareRatio', 2) } } : {}),
  ...(COMPARE_WATCHING
    ? {
        watching: {
          warmOverheadRatio: pick('watchedRatio', 2),
          unwatchedRatio: pick('unwatchedRatio', 2),
          jobWarmP50Ms: pick('watchedJobP50Ms'),
          unwatchedJobP50Ms: pick('unwatchedJobP50Ms'),
          watchedVsUnwatched: pick('watchedVsUnwatched', 2),
          framesPerJob: pick('framesPerJob', 1),
        },
      }
    : {}),
  ...(COMPARE_VIDEO ? { video: { recordVideo: 'always', warmOverheadRatio: pick('videoRatio', 2) } } : {}),
  hibernation: { accounts: HIBERNATION_ACCOUNTS, maxLiveContexts: HIBERNATION_LIVE, maxLiveObserved: Math.max(...runs.map((r) => r.maxLiveObserved)) },
  ...(BASELINE_ROOT ? baselineFigures() : {}),
  runs: RUNS,
  perRun: {
    warmOverheadRatio: perRun('warmOverheadRatio', 2),
    rawWarmP50Ms: perRun('rawWarmP50Ms'),
    jobWarmP50Ms: perRun('jobWarmP50Ms'),
    coldStartP50Ms: perRun('coldStartP50Ms'),
    ...(COMPARE_TRACE ? { compareRatio: perRun('compareRatio', 2) } : {}),
    ...(COMPARE_WATCHING
      ? { watchedRatio: perRun('watchedRatio', 2), unwatchedRatio: perRun('unwatchedRatio', 2), watchedVsUnwatched: perRun('watchedVsUnwatched', 2) }
      : {}),
    ...(COMPARE_VIDEO ? { videoRatio: perRun('videoRatio', 2) } : {}),
  },
};
process.stdout.write(`${JSON.stringify(result)}\n`);

/** The other build's medians, and this build's against them (below 1: this build is faster or leaner). */
function baselineFigures() {
  const of = (list, k, digits = 0) => Number(median(list.map((r) => r[k])).toFixed(digits));
  const ratio = (k) => Number((median(runs.map((r) => r[k])) / median(baselineRuns.map((r) => r[k]))).toFixed(2));
  return {
    baseline: {
      root: path.relative(root, BASELINE_ROOT) || '.',
      warmOverheadRatio: of(baselineRuns, 'warmOverheadRatio', 2),
      rawWarmP50Ms: of(baselineRuns, 'rawWarmP50Ms'),
      jobWarmP50Ms: of(baselineRuns, 'jobWarmP50Ms'),
      coldStartP50Ms: of(baselineRuns, 'coldStartP50Ms'),
      pssPerContextMb: of(baselineRuns, 'pssPerContextMb'),
      perRun: { warmOverheadRatio: baselineRuns.map((r) => Number(r.warmOverheadRatio.toFixed(2))) },
    },
    vsBaseline: {
      warmOverheadRatio: ratio('warmOverheadRatio'),
      jobWarmP50: ratio('jobWarmP50Ms'),
      coldStartP50: ratio('coldStartP50Ms'),
      pssPerContext: ratio('pssPerContextMb'),
    },
  };
}
process.exit(0);
