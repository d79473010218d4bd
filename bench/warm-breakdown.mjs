// Diagnostic, not a benchmark: where the time of a warm job goes, end to end. Same setup and page
// steps as bench:browser's warm phase; hooks on the master's scheduler, the worker's runner,
// browser manager and reporter stamp each stage; prints the median time of each stage from submit,
// and the raw side's newPage / steps / close. Run it under the bench lock:
//   flock /tmp/fleet-bench.lock node bench/warm-breakdown.mjs
// Knobs: BENCH_WARM_JOBS, FLEET_TRACE, BREAKDOWN_POLL=1 (the client polls GET /jobs/:id every 2 ms,
// as bench:browser did before, instead of waiting for the /client job:done event).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { z } from 'zod';
import { Master } from '@fleetwright/master';
import { SandboxServer } from '@fleetwright/sandbox';
import { ClientEvent, Namespace, TRACE_MODES, createLogger, findChromium, readEnum } from '@fleetwright/shared';
import { io } from 'socket.io-client';
import { CHROMIUM_ARGS, Worker, createSandboxPlugin, defineJob } from '@fleetwright/worker';
import { jobEnds, median, progress, restApi, seedCommentsPage, waitFor } from './lib.mjs';

const N = Number(process.env.BENCH_WARM_JOBS ?? 30);
const POLL = process.env.BREAKDOWN_POLL === '1';
const TRACE = readEnum(process.env, 'FLEET_TRACE', TRACE_MODES, 'full-on-retry');
const now = () => performance.timeOrigin + performance.now();
const quiet = createLogger({ name: 'bench', console: false });
let marks = {};
const mark = (name) => { if (!(name in marks)) marks[name] = now(); };

const dir = mkdtempSync(path.join(os.tmpdir(), 'fleet-breakdown-'));
const sandbox = new SandboxServer();
await sandbox.start();
const apiToken = `fwa_${randomBytes(12).toString('hex')}`;
const workerToken = `fww_${randomBytes(12).toString('hex')}`;
const master = new Master({ dataDir: `${dir}/master`, port: 0, host: '127.0.0.1', secretKey: randomBytes(32), workerToken, apiToken, heartbeatIntervalMs: 2000, tickIntervalMs: 200, logger: quiet });
await master.start();
async function readComments(page, baseUrl) {
  await page.goto(`${baseUrl}/comments`);
  mark('goto_done');
  const texts = await page.locator('li.comment .text').allInnerTexts();
  mark('read_done');
  if (texts.length < 20) throw new Error(`expected 20 comments, read ${texts.length}`);
  return texts.length;
}
const sandboxPlugin = createSandboxPlugin({ baseUrl: sandbox.url });
const plugin = { ...sandboxPlugin, jobs: { ...sandboxPlugin.jobs, read_comments: defineJob({ schema: z.object({}), run: async (ctx) => { mark('handler_start'); const page = await ctx.page(); mark('page_ready'); const r = { read: await readComments(page, sandbox.url) }; mark('handler_end'); return r; } }) } };
const worker = new Worker({ workerId: 'bench-w1', masterUrl: master.url, token: workerToken, dataDir: `${dir}/w1`, chromiumPath: findChromium(), plugins: [plugin], maxConcurrency: 4, trace: TRACE, maxLiveContexts: 4, logger: quiet });
worker.start();
// Hooks.
const wrap = (obj, name, before, after) => { const orig = obj[name].bind(obj); obj[name] = (...a) => { before?.(...a); const r = orig(...a); if (after && r && typeof r.then === 'function') return r.then((v) => (after(...a), v)); after?.(...a); return r; }; };
wrap(master.scheduler, 'sendJob', () => mark('master_send_job'));
wrap(worker.runner, 'accept', () => mark('worker_accept'));
wrap(worker.browsers, 'newPage', () => mark('newPage_start'), () => mark('newPage_end'));
wrap(worker.runner, 'finishJob', () => mark('finish_start'), () => mark('finish_end'));
wrap(worker.browsers, 'jobFinished', () => mark('jobFinished_start'), () => mark('jobFinished_end'));
const rep = worker.runner.reporter;
wrap(rep, 'result', () => mark('result_send'), () => mark('result_acked'));
wrap(rep, 'uploadArtifact', () => mark('upload_start'), () => mark('upload_end'));
wrap(rep, 'progress', () => mark('progress'));
const origJobChanged = master.scheduler.jobChanged.bind(master.scheduler);
master.scheduler.jobChanged = (row) => { if (row.status === 'succeeded') mark('master_succeeded'); if (row.status === 'running') mark('master_running'); return origJobChanged(row); };

const api = restApi(master.url, apiToken);
const client = io(`${master.url}${Namespace.Client}`, { auth: { token: apiToken }, transports: ['websocket'], forceNew: true });
progress('connecting client');
await new Promise((resolve, reject) => (client.once('connect', resolve), client.once('connect_error', reject)));
const doneOf = jobEnds(client, ClientEvent.JobDone);

const runJob = async (accountId, type) => {
  const start = now();
  const job = await api('POST', '/jobs', { type, accountId });
  mark('post_returned');
  const done = POLL ? await waitFor(`job ${job.id}`, async () => {
    const j = await api('GET', `/jobs/${job.id}`);
    return ['succeeded', 'failed'].includes(j.status) ? j : undefined;
  }, 60_000, 2) : await doneOf(job.id);
  mark('client_seen');
  if (done.status !== 'succeeded') throw new Error(`job failed: ${JSON.stringify(done.error)}`);
  return start;
};
try {
  await waitFor('the worker', async () => ((await api('GET', '/workers')).items.some((w) => w.status === 'online') ? true : undefined), 30_000);
  await seedCommentsPage(sandbox.url, 20);
  const account = await api('POST', '/accounts', { platform: 'sandbox', credentials: { username: 'bencher', password: 'bencher-pass-1' } });
  progress('login');
  await runJob(account.id, 'login');
  progress('logged in');
  const raw = await chromium.launchPersistentContext(`${dir}/raw-profile`, { executablePath: findChromium(), headless: true, args: [...CHROMIUM_ARGS] });
  const login = await raw.newPage();
  await login.goto(`${sandbox.url}/login`);
  await login.fill('input[name=username]', 'bencher');
  await login.fill('input[name=password]', 'bencher-pass-1');
  await Promise.all([login.waitForURL('**/home'), login.click('#login-submit')]);
  const rows = [];
  const rawRows = [];
  for (let i = 0; i < N; i += 1) {
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
    rows.push(Object.fromEntries(Object.entries(marks).map(([k, v]) => [k, v - start])));
  }
  await raw.close();
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r)))].sort((a, b) => median(rows.map((r) => r[a] ?? 0)) - median(rows.map((r) => r[b] ?? 0)));
  for (const k of keys) console.log(`${k.padEnd(20)} ${median(rows.map((r) => r[k]).filter((v) => v !== undefined)).toFixed(1)}`);
  console.log('raw', Object.fromEntries(Object.keys(rawRows[0]).map((k) => [k, median(rawRows.map((r) => r[k])).toFixed(1)])));
} finally {
  client.close();
  await worker.close().catch(() => undefined);
  await master.close();
  await sandbox.close();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);
