// Which Chromium processes a headless persistent context runs here, and what each kind costs (PSS),
// with the worker's flags and with candidate flags that might remove a process. Progress on stderr,
// one JSON line on stdout. Method: docs/PERFORMANCE.md ("Chromium processes").
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { SandboxServer } from '@fleetwright/sandbox';
import { findChromium } from '@fleetwright/shared';
import { CHROMIUM_ARGS } from '@fleetwright/worker';
import { writeChromiumLauncher } from '../packages/worker/dist/browser/chromium-launcher.js';
import { median, progress, seedCommentsPage } from './lib.mjs';

const CONTEXTS = Number(process.env.BENCH_CONTEXTS ?? 5);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
// `worker` is the worker's own launch (flags and launcher script); each other variant adds flags to it.
const VARIANTS = {
  worker: [],
  inProcessGpu: ['--in-process-gpu'],
  // Weakens site isolation (renderers shared across sites): measured, never on by default.
  rendererLimit1: ['--renderer-process-limit=1'],
};

/** Every process under `root` with its kind (`browser`, `renderer`, `gpu-process`, `utility:<service>`, `zygote`) and PSS. */
function processTree(root) {
  const children = new Map();
  for (const entry of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {}
  }
  const out = [];
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop();
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      const type = /--type=(\S+)/.exec(cmd)?.[1] ?? 'browser';
      const sub = /--utility-sub-type=(\S+)/.exec(cmd)?.[1];
      const pss = Number(/^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? 0) * 1024;
      out.push({ pid, kind: sub ? `utility:${sub.replace(/\.mojom\.\w+$/, '')}` : type, pss });
    } catch {}
    stack.push(...(children.get(pid) ?? []));
  }
  return out;
}

function browserPid(dir) {
  for (const entry of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmd.includes(`--user-data-dir=${dir}`) && !cmd.includes('--type=')) return Number(entry);
    } catch {}
  }
  return undefined;
}

const tmp = mkdtempSync(path.join(os.tmpdir(), 'fleet-bench-processes-'));
const sandbox = new SandboxServer();
await sandbox.start();
await seedCommentsPage(sandbox.url);
const launcher = writeChromiumLauncher(tmp, findChromium());
const results = {};
try {
  for (let run = 0; run < RUNS; run += 1) {
    for (const [name, extra] of Object.entries(VARIANTS)) {
      const contexts = [];
      for (let i = 0; i < CONTEXTS; i += 1) {
        const dir = path.join(tmp, `${name}-${run}-${i}`);
        const context = await chromium.launchPersistentContext(dir, {
          executablePath: launcher,
          headless: true,
          args: [...CHROMIUM_ARGS, ...extra],
          handleSIGINT: false,
          handleSIGTERM: false,
          handleSIGHUP: false,
        });
        const keepAlive = context.pages()[0] ?? (await context.newPage());
        const page = await context.newPage();
        await page.goto(`${sandbox.url}/login`);
        await page.fill('input[name=username]', 'bencher');
        await page.fill('input[name=password]', 'bencher-pass-1');
        await Promise.all([page.waitForURL('**/home'), page.click('#login-submit')]);
        await page.goto(`${sandbox.url}/comments`);
        const texts = await page.locator('li.comment .text').allInnerTexts();
        if (texts.length < 20) throw new Error(`${name}: the comments page did not render (${texts.length} comments)`);
        contexts.push({ context, dir, keepAlive });
      }
      await new Promise((resolve) => setTimeout(resolve, 1500)); // let start-up allocations settle
      const kinds = {};
      let total = 0;
      for (const { dir } of contexts) {
        for (const p of processTree(browserPid(dir))) {
          kinds[p.kind] ??= { count: 0, pss: 0 };
          kinds[p.kind].count += 1;
          kinds[p.kind].pss += p.pss;
          total += p.pss;
        }
      }
      const perContext = Object.fromEntries(
        Object.entries(kinds).map(([kind, v]) => [kind, { processes: v.count / CONTEXTS, pssMb: Math.round(v.pss / CONTEXTS / 1048576) }]),
      );
      (results[name] ??= []).push({ pssPerContextMb: total / CONTEXTS / 1048576, perContext });
      progress(`run ${run + 1}/${RUNS} ${name}: ${(total / CONTEXTS / 1048576).toFixed(1)} MB PSS per context`);
      await Promise.all(contexts.map((c) => c.context.close()));
    }
  }
} finally {
  await sandbox.close();
  rmSync(tmp, { recursive: true, force: true });
}
const summary = Object.fromEntries(
  Object.entries(results).map(([name, runs]) => [
    name,
    { pssPerContextMb: Math.round(median(runs.map((r) => r.pssPerContextMb)) * 10) / 10, processes: runs.at(-1).perContext },
  ]),
);
process.stdout.write(`${JSON.stringify({ contexts: CONTEXTS, runs: RUNS, ...summary })}\n`);
