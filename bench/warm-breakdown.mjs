// Diagnostic, not a benchmark: where the time of a warm job goes, end to end. Same setup and page
// steps as bench:browser's warm phase; hooks on the master's scheduler, the worker's runner,
// browser manager and reporter stamp each stage; prints the median time of each stage from submit,
// and the raw side's newPage / steps / close. Run it under the bench lock:
//   flock /tmp/fleet-bench.lock node bench/warm-breakdown.mjs
// Knobs: BENCH_WARM_JOBS, FLEET_TRACE, BREAKDOWN_POLL=1 (the client polls GET /jobs/:id every 2 ms,
// as bench:browser did before, instead of waiting for the /client job:done event),
// BREAKDOWN_WATCH_BLOCK=n (blocks of n pairs alternate unwatched and watched by a /client socket; both breakdowns printed).
import { ClientRequest, TRACE_MODES, readEnum } from '@fleetwright/shared';
import { openRawContext, readComments, startInProcessFleet } from './in-process-fleet.mjs';
import { median, progress, waitFor } from './lib.mjs';
// Not exported by the package: its instances live inside the runner, so its prototype is hooked.
import { JobAttempt } from '../packages/worker/dist/runner/job-attempt.js';

const N = Number(process.env.BENCH_WARM_JOBS ?? 30);
const POLL = process.env.BREAKDOWN_POLL === '1';
const WATCH_BLOCK = Number(process.env.BREAKDOWN_WATCH_BLOCK ?? 0);
const TRACE = readEnum(process.env, 'FLEET_TRACE', TRACE_MODES, 'full-on-retry');
const now = () => performance.timeOrigin + performance.now();
let marks = {};
const mark = (name) => {
  if (!(name in marks)) marks[name] = now();
};

const fleet = await startInProcessFleet({ prefix: 'fleet-breakdown-', trace: TRACE, maxLiveContexts: 4, mark });
const { dir, sandbox, master, worker, api, client, endOf: doneOf } = fleet;
// Hooks.
const wrap = (obj, name, before, after) => {
  const orig = obj[name].bind(obj);
  obj[name] = (...a) => {
    before?.(...a);
    const r = orig(...a);
    if (after && r && typeof r.then === 'function')
      return r.then((v) => {
        after(...a);
        return v;
      });
    after?.(...a);
    return r;
  };
};
wrap(master.scheduler, 'sendJob', () => mark('master_send_job'));
wrap(worker.runner, 'accept', () => mark('worker_accept'));
wrap(
  worker.browsers,
  'newPage',
  () => mark('newPage_start'),
  () => mark('newPage_end'),
);
const wrapMethod = (proto, name, before, after) => {
  const orig = proto[name];
  proto[name] = async function (...a) {
    before?.();
    const v = await orig.apply(this, a);
    after?.();
    return v;
  };
};
wrapMethod(
  JobAttempt.prototype,
  'finish',
  () => mark('finish_start'),
  () => mark('finish_end'),
);
wrap(
  worker.browsers,
  'jobFinished',
  () => mark('jobFinished_start'),
  () => mark('jobFinished_end'),
);
const rep = worker.runner.reporter;
wrap(
  rep,
  'result',
  () => mark('result_send'),
  () => mark('result_acked'),
);
wrap(
  rep,
  'uploadArtifact',
  () => mark('upload_start'),
  () => mark('upload_end'),
);
wrap(rep, 'progress', () => mark('progress'));
const origJobChanged = master.scheduler.jobChanged.bind(master.scheduler);
master.scheduler.jobChanged = (row) => {
  if (row.status === 'succeeded') mark('master_succeeded');
  if (row.status === 'running') mark('master_running');
  return origJobChanged(row);
};

const runJob = async (accountId, type) => {
  const start = now();
  const job = await api('POST', '/jobs', { type, accountId });
  mark('post_returned');
  const done = POLL
    ? await waitFor(
        `job ${job.id}`,
        async () => {
          const j = await api('GET', `/jobs/${job.id}`);
          return ['succeeded', 'failed'].includes(j.status) ? j : undefined;
        },
        60_000,
        2,
      )
    : await doneOf(job.id);
  mark('client_seen');
  if (done.status !== 'succeeded') throw new Error(`job failed: ${JSON.stringify(done.error)}`);
  return start;
};
try {
  const account = await api('POST', '/accounts', { platform: 'sandbox', credentials: { username: 'bencher', password: 'bencher-pass-1' } });
  progress('login');
  await runJob(account.id, 'login');
  progress('logged in');
  const raw = await openRawContext(dir, sandbox.url);
  const rows = [];
  const rawRows = [];
  const watchedRows = [];
  for (let i = 0; i < N; i += 1) {
    const watching = WATCH_BLOCK > 0 && Math.floor(i / WATCH_BLOCK) % 2 === 1;
    if (WATCH_BLOCK > 0 && i % WATCH_BLOCK === 0) {
      await client.timeout(10_000).emitWithAck(watching ? ClientRequest.LiveWatch : ClientRequest.LiveUnwatch, { accountId: account.id });
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    marks = {};
    const t = now();
    const page = await raw.newPage();
    const tp = now();
    await readComments(page, sandbox.url);
    const tr = now();
    await page.close();
    rawRows.push({ newPage: tp - t, steps: tr - tp, close: now() - tr, total: now() - t });
    marks = {};
    const start = await runJob(account.id, 'read_comments');
    (watching ? watchedRows : rows).push(Object.fromEntries(Object.entries(marks).map(([k, v]) => [k, v - start])));
  }
  await raw.close();
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r)))].sort((a, b) => median(rows.map((r) => r[a] ?? 0)) - median(rows.map((r) => r[b] ?? 0)));
  const stage = (list, k) => median(list.map((r) => r[k]).filter((v) => v !== undefined)).toFixed(1);
  for (const k of keys) console.log(`${k.padEnd(20)} ${stage(rows, k)}${watchedRows.length ? `  watched ${stage(watchedRows, k)}` : ''}`);
  console.log('raw', Object.fromEntries(Object.keys(rawRows[0]).map((k) => [k, median(rawRows.map((r) => r[k])).toFixed(1)])));
} finally {
  await fleet.close();
}
process.exit(0);
