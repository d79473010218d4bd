// Diagnostic, not a benchmark: what each thing the worker does around a warm job costs in a
// context of a shared Chromium, on raw Playwright with no master or runner in between. Variants
// run interleaved, one job each per round; prints the median of each. Run it under the bench lock:
//   flock /tmp/fleet-bench.lock node bench/shared-warm-steps.mjs
// Knobs: BENCH_WARM_JOBS (30), BENCH_WARM_SETTLE_MS (250), BENCH_VARIANTS (comma list of the names below).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { SandboxServer } from '@fleetwright/sandbox';
import { findChromium } from '@fleetwright/shared';
import { CHROMIUM_ARGS } from '@fleetwright/worker';
import { writeChromiumLauncher } from '../packages/worker/dist/browser/chromium-launcher.js';
import { sendFenceTo } from '../packages/worker/dist/browser/fence-header.js';
import { readComments } from './in-process-fleet.mjs';
import { median, progress, seedCommentsPage } from './lib.mjs';

const N = Number(process.env.BENCH_WARM_JOBS ?? 30);
/** Pause before each timed job, so none runs beside another variant's background work. */
const SETTLE_MS = Number(process.env.BENCH_WARM_SETTLE_MS ?? 250);
const dir = mkdtempSync(path.join(os.tmpdir(), 'fleet-shared-steps-'));
const sandbox = new SandboxServer();
await sandbox.start();
await seedCommentsPage(sandbox.url, 20);

async function signIn(page) {
  await page.goto(`${sandbox.url}/login`);
  await page.fill('input[name=username]', 'bencher');
  await page.fill('input[name=password]', 'bencher-pass-1');
  await Promise.all([page.waitForURL('**/home'), page.click('#login-submit')]);
}

const plain = await chromium.launch({ executablePath: findChromium(), headless: true, args: [...CHROMIUM_ARGS] });
const launcher = writeChromiumLauncher(dir, findChromium());
const root = await chromium.launchPersistentContext(path.join(dir, 'shared'), { executablePath: launcher, headless: true, args: [...CHROMIUM_ARGS] });
const shared = root.browser();

async function signedIn(browser) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page);
  await page.close();
  return context;
}

/** Each variant: a context prepared once, and what one job does in it. */
const variants = {
  plain: { context: await signedIn(plain) },
  worker_flags: { context: await signedIn(shared) },
  worker_flags_keepalive: { context: await signedIn(shared), keepAlive: true },
  fence_route: { context: await signedIn(shared), fence: true },
  trace: { context: await signedIn(shared), trace: true },
  cookies_read: { context: await signedIn(shared), cookies: true },
  all: { context: await signedIn(shared), fence: true, trace: true, cookies: true },
  all_keepalive: { context: await signedIn(shared), fence: true, trace: true, cookies: true, keepAlive: true },
  all_spare: { context: await signedIn(shared), fence: true, trace: true, cookies: true, spare: true },
};
const chosen = (process.env.BENCH_VARIANTS ?? Object.keys(variants).join(',')).split(',');
for (const name of chosen) {
  const v = variants[name];
  if (v.fence) await sendFenceTo(v.context, [sandbox.url], () => 1);
  if (v.keepAlive) await v.context.newPage();
  if (v.spare) v.next = await v.context.newPage();
}

async function job(v) {
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  const t = performance.now();
  if (v.trace) await v.context.tracing.start({ screenshots: false, snapshots: false });
  const page = v.spare ? v.next : await v.context.newPage();
  await readComments(page, sandbox.url);
  if (v.cookies) await v.context.cookies();
  await page.close();
  if (v.trace) await v.context.tracing.stop();
  const ms = performance.now() - t;
  // The next job's page opens once this one is done, off its clock.
  if (v.spare) v.next = await v.context.newPage();
  return ms;
}

const times = Object.fromEntries(chosen.map((n) => [n, []]));
for (const name of chosen) await job(variants[name]); // first runs warm up
for (let i = 0; i < N; i += 1) {
  for (const name of chosen) times[name].push(await job(variants[name]));
  if ((i + 1) % 10 === 0) progress(`${i + 1}/${N}`);
}
const result = Object.fromEntries(chosen.map((n) => [n, Number(median(times[n]).toFixed(1))]));
await plain.close();
await root.close();
await sandbox.close();
rmSync(dir, { recursive: true, force: true });
process.stdout.write(`${JSON.stringify({ p50Ms: result, jobs: N })}\n`);
process.exit(0);
