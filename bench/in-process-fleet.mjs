// The in-process fleet both browser benches drive: sandbox, master and one worker in this process,
// a `read_comments` job that runs exactly the raw side's page steps, and a `/client` socket that
// learns each job's end from `job:done` (as upstream systems do, and as bench:dispatch measures).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { z } from 'zod';
import { Master } from '@fleetwright/master';
import { SandboxServer } from '@fleetwright/sandbox';
import { ClientEvent, Namespace, createLogger, findChromium } from '@fleetwright/shared';
import { io } from 'socket.io-client';
import { CHROMIUM_ARGS, Worker, createSandboxPlugin, defineJob } from '@fleetwright/worker';
import { jobEnds, restApi, seedCommentsPage, waitFor } from './lib.mjs';

const quiet = createLogger({ name: 'bench', console: false });

/** The page steps both sides of the warm comparison run: load the comments, read 20. `mark` stamps stages. */
export async function readComments(page, baseUrl, mark = () => undefined) {
  await page.goto(`${baseUrl}/comments`);
  mark('goto_done');
  const texts = await page.locator('li.comment .text').allInnerTexts();
  mark('read_done');
  if (texts.length < 20) throw new Error(`expected 20 comments, read ${texts.length}`);
  return texts.length;
}

/** The raw side: Playwright's own persistent context in `dir`, signed in as the bench user. */
export async function openRawContext(dir, sandboxUrl) {
  const raw = await chromium.launchPersistentContext(`${dir}/raw-profile`, { executablePath: findChromium(), headless: true, args: [...CHROMIUM_ARGS] });
  const login = await raw.newPage();
  await login.goto(`${sandboxUrl}/login`);
  await login.fill('input[name=username]', 'bencher');
  await login.fill('input[name=password]', 'bencher-pass-1');
  await Promise.all([login.waitForURL('**/home'), login.click('#login-submit')]);
  return raw;
}

/**
 * Starts the fleet in a temp dir, waits for the worker and the client, and seeds the comments
 * page. `mark` stamps the stages of the `read_comments` job (bench/warm-breakdown.mjs);
 * `workerOptions` go to the first worker (bench/density.mjs sets its browser mode).
 */
export async function startInProcessFleet({ prefix, trace, maxLiveContexts, mark = () => undefined, workerOptions = {} }) {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  const sandbox = new SandboxServer();
  await sandbox.start();
  const apiToken = `fwa_${randomBytes(12).toString('hex')}`;
  const workerToken = `fww_${randomBytes(12).toString('hex')}`;
  const master = new Master({
    dataDir: `${dir}/master`,
    port: 0,
    host: '127.0.0.1',
    secretKey: randomBytes(32),
    workerToken,
    apiToken,
    heartbeatIntervalMs: 2000,
    tickIntervalMs: 200,
    logger: quiet,
  });
  await master.start();
  const sandboxPlugin = createSandboxPlugin({ baseUrl: sandbox.url });
  const readJob = defineJob({
    schema: z.object({}),
    run: async (ctx) => {
      mark('handler_start');
      const page = await ctx.page();
      mark('page_ready');
      const read = await readComments(page, sandbox.url, mark);
      mark('handler_end');
      return { read };
    },
  });
  const plugin = { ...sandboxPlugin, jobs: { ...sandboxPlugin.jobs, read_comments: readJob } };
  /** Another worker of this fleet (same plugin, token and trace mode); `close()` ends it too. */
  const workers = [];
  const startWorker = (workerId, options) => {
    const started = new Worker({
      workerId,
      masterUrl: master.url,
      token: workerToken,
      dataDir: `${dir}/${workerId}`,
      chromiumPath: findChromium(),
      plugins: [plugin],
      trace,
      logger: quiet,
      ...options,
    });
    workers.push(started);
    started.start();
    return started;
  };
  const worker = startWorker('bench-w1', { maxConcurrency: 4, maxLiveContexts, ...workerOptions });
  const api = restApi(master.url, apiToken);
  // Its own connection (forceNew): the worker in this process already has one to the same master.
  const client = io(`${master.url}${Namespace.Client}`, { auth: { token: apiToken }, transports: ['websocket'], forceNew: true });
  const close = async () => {
    client.close();
    await Promise.allSettled(workers.map((w) => w.close()));
    await master.close();
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await new Promise((resolve, reject) => {
      client.once('connect', resolve);
      client.once('connect_error', reject);
    });
    await waitFor('the worker', async () => ((await api('GET', '/workers')).items.some((w) => w.status === 'online') ? true : undefined), 30_000);
    await seedCommentsPage(sandbox.url, 20);
  } catch (error) {
    await close();
    throw error;
  }
  return { dir, sandbox, master, worker, startWorker, api, client, endOf: jobEnds(client, ClientEvent.JobDone), close };
}
