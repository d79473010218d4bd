// bench:browser — what the fleet adds around a browser job, and what a live context costs.
// Method: ../shared/BENCHMARKS.md. Progress on stderr, one JSON line on stdout.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { z } from 'zod';
import { Master } from '@fleetwright/master';
import { SandboxServer } from '@fleetwright/sandbox';
import { createLogger, findChromium } from '@fleetwright/shared';
import { CHROMIUM_ARGS, Worker, createSandboxPlugin, defineJob } from '@fleetwright/worker';
import { median, percentile, progress, waitFor } from './lib.mjs';

const WARM_JOBS = Number(process.env.BENCH_WARM_JOBS ?? 30);
const COLD_JOBS = Number(process.env.BENCH_COLD_JOBS ?? 10);
const LIVE = Number(process.env.BENCH_LIVE_CONTEXTS ?? 10);
const HIBERNATION_ACCOUNTS = Number(process.env.BENCH_HIBERNATION_ACCOUNTS ?? 30);
const HIBERNATION_LIVE = Number(process.env.BENCH_HIBERNATION_LIVE ?? 5);
const quiet = createLogger({ name: 'bench', console: false });

/** The page steps both sides run: open a page, load the comments, read 20, close. */
async function readComments(page, baseUrl) {
  await page.goto(`${baseUrl}/comments`);
  const texts = await page.locator('li.comment .text').allInnerTexts();
  if (texts.length < 20) throw new Error(`expected 20 comments, read ${texts.length}`);
  return texts.length;
}

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

const dir = mkdtempSync(path.join(os.tmpdir(), 'fleet-bench-browser-'));
const sandbox = new SandboxServer();
await sandbox.start();
const apiToken = `fwa_${randomBytes(12).toString('hex')}`;
const workerToken = `fww_${randomBytes(12).toString('hex')}`;
const master = new Master({ dataDir: `${dir}/master`, port: 0, host: '127.0.0.1', secretKey: randomBytes(32), workerToken, apiToken, heartbeatIntervalMs: 2000, tickIntervalMs: 200, logger: quiet });
await master.start();
const sandboxPlugin = createSandboxPlugin({ baseUrl: sandbox.url });
const plugin = { ...sandboxPlugin, jobs: { ...sandboxPlugin.jobs, read_comments: defineJob({ schema: z.object({}), run: async (ctx) => ({ read: await readComments(await ctx.page(), sandbox.url) }) }) } };
const worker = new Worker({ workerId: 'bench-w1', masterUrl: master.url, token: workerToken, dataDir: `${dir}/w1`, chromiumPath: findChromium(), plugins: [plugin], maxConcurrency: 4, traceOnFailure: process.env.BENCH_TRACE !== '0', maxLiveContexts: LIVE + 2, logger: quiet });
worker.start();
const headers = { authorization: `Bearer ${apiToken}`, 'content-type': 'application/json' };
const api = async (method, route, body) => {
  const res = await fetch(`${master.url}/api/v1${route}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const json = res.status === 204 ? null : await res.json();
  if (!res.ok) throw new Error(`${method} ${route}: ${JSON.stringify(json)}`);
  return json;
};
// Jobs are timed from submit until a poll of the job sees it succeeded (polled every 2 ms).
const runJob = async (accountId, type) => {
  const start = performance.now();
  const job = await api('POST', '/jobs', { type, accountId });
  const done = await waitFor(`job ${job.id}`, async () => {
    const j = await api('GET', `/jobs/${job.id}`);
    return ['succeeded', 'failed'].includes(j.status) ? j : undefined;
  }, 60_000, 2);
  if (done.status !== 'succeeded') throw new Error(`job failed: ${JSON.stringify(done.error)}`);
  return performance.now() - start;
};
const user = async (handle) => {
  await fetch(`${sandbox.url}/admin/users`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ handle, email: `${handle}@sandbox.test`, password: `${handle}-pass-1` }) });
  const post = await (await fetch(`${sandbox.url}/admin/posts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ author: handle, text: 'bench post' }) })).json();
  return post.id;
};

try {
  await waitFor('the worker', async () => ((await api('GET', '/workers')).items.some((w) => w.status === 'online') ? true : undefined), 30_000);
  // 20 comments on the bench user's post.
  const postId = await user('bencher');
  await user('commenter');
  for (let i = 0; i < 20; i += 1) await fetch(`${sandbox.url}/admin/comments`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ postId, author: 'commenter', text: `comment ${i}` }) });
  const account = await api('POST', '/accounts', { platform: 'sandbox', credentials: { username: 'bencher', password: 'bencher-pass-1' } });
  await runJob(account.id, 'login');

  // (a) warm overhead: raw Playwright in an open persistent context vs a job on a warm worker, interleaved.
  const raw = await chromium.launchPersistentContext(`${dir}/raw-profile`, { executablePath: findChromium(), headless: true, args: [...CHROMIUM_ARGS] });
  const login = await raw.newPage();
  await login.goto(`${sandbox.url}/login`);
  await login.fill('input[name=username]', 'bencher');
  await login.fill('input[name=password]', 'bencher-pass-1');
  await Promise.all([login.waitForURL('**/home'), login.click('#login-submit')]);
  const rawTimes = [];
  const jobTimes = [];
  for (let i = 0; i < WARM_JOBS; i += 1) {
    const t = performance.now();
    const page = await raw.newPage();
    await readComments(page, sandbox.url);
    await page.close();
    rawTimes.push(performance.now() - t);
    jobTimes.push(await runJob(account.id, 'read_comments'));
    if (i % 10 === 9) progress(`warm: ${i + 1}/${WARM_JOBS} pairs (raw p50 ${median(rawTimes).toFixed(0)} ms, job p50 ${median(jobTimes).toFixed(0)} ms)`);
  }
  await raw.close();

  // (b) cold start: the account's context is closed (state kept at the master), then a job.
  const coldTimes = [];
  for (let i = 0; i < COLD_JOBS; i += 1) {
    await worker.browsers.closeContext(account.id);
    coldTimes.push(await runJob(account.id, 'read_comments'));
  }
  progress(`cold: p50 ${median(coldTimes).toFixed(0)} ms over ${COLD_JOBS}`);

  // (c) memory: PSS of every Chromium process of this worker with LIVE contexts open.
  const accounts = [account.id];
  for (let i = 1; i < LIVE; i += 1) accounts.push((await api('POST', '/accounts', { platform: 'sandbox', credentials: { username: 'bencher', password: 'bencher-pass-1' } })).id);
  await Promise.all(accounts.map((id) => runJob(id, 'login')));
  await waitFor('the live contexts', () => (worker.browsers.liveCount >= LIVE ? true : undefined), 60_000);
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const pssPerContextMb = pssOfTree(process.pid) / LIVE / 1048576;
  progress(`memory: ${pssPerContextMb.toFixed(0)} MB PSS per context with ${worker.browsers.liveCount} live`);
  await worker.close();

  // Hibernation: many accounts through a worker capped at a few live contexts.
  const capped = new Worker({ workerId: 'bench-w2', masterUrl: master.url, token: workerToken, dataDir: `${dir}/w2`, chromiumPath: findChromium(), plugins: [plugin], maxConcurrency: 2, maxAccounts: 1000, maxLiveContexts: HIBERNATION_LIVE, logger: quiet });
  capped.start();
  let maxLive = 0;
  const sampler = setInterval(() => (maxLive = Math.max(maxLive, capped.browsers.liveCount)), 20);
  const many = [];
  for (let i = 0; i < HIBERNATION_ACCOUNTS; i += 1) many.push((await api('POST', '/accounts', { platform: 'sandbox', credentials: { username: 'bencher', password: 'bencher-pass-1' } })).id);
  await waitFor('accounts to move to the capped worker', async () => ((await api('GET', '/workers')).items.find((w) => w.id === 'bench-w2')?.accounts >= HIBERNATION_ACCOUNTS ? true : undefined), 120_000, 200);
  const hibernationTimes = await Promise.all(many.map((id) => runJob(id, 'login')));
  clearInterval(sampler);
  progress(`hibernation: ${HIBERNATION_ACCOUNTS} accounts served with at most ${maxLive} live contexts (cap ${HIBERNATION_LIVE}), job p50 ${median(hibernationTimes).toFixed(0)} ms`);
  await capped.close();

  const result = {
    warmOverheadRatio: Math.round((median(jobTimes) / median(rawTimes)) * 100) / 100,
    rawWarmP50Ms: Math.round(median(rawTimes)),
    jobWarmP50Ms: Math.round(median(jobTimes)),
    jobWarmP99Ms: Math.round(percentile(jobTimes, 99)),
    coldStartP50Ms: Math.round(median(coldTimes)),
    pssPerContextMb: Math.round(pssPerContextMb),
    hibernation: { accounts: HIBERNATION_ACCOUNTS, maxLiveContexts: HIBERNATION_LIVE, maxLiveObserved: maxLive },
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  await worker.close().catch(() => undefined);
  await master.close();
  await sandbox.close();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);
