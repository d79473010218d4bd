import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { findChromium } from '@fleetwright/shared';
import { freePort } from '../support/free-port.js';
import { processesMentioning } from '../support/processes.js';
import { makeTempDir } from '../support/temp-dir.js';
import { waitFor } from '../support/wait-for.js';
import { descendantsOf, stillRunning } from './process-tree.js';

describe('npm start: the embedded default, as a new user runs it', () => {
  let child: ChildProcess | undefined;
  let browser: Browser | undefined;
  const temp = makeTempDir('fleet-demo-');
  afterEach(async () => {
    await browser?.close();
    try {
      if (child?.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // the group has ended already
    }
    for (const pid of processesMentioning(temp.dir)) process.kill(pid, 'SIGKILL');
    temp.remove();
  });

  it('starts sandbox, master and two workers, runs the demo login and crawl, shows the fleet in Chromium, and Ctrl-C leaves nothing behind', async () => {
    const port = await freePort();
    const sandboxPort = await freePort();
    let output = '';
    // `npm start` itself (it builds first, then runs `fleet demo`), in its own process group as a
    // terminal would run it, so Ctrl-C below reaches the whole group as it does there.
    child = spawn('npm', ['start'], {
      cwd: path.resolve('.'),
      env: { ...process.env, PORT: String(port), FLEET_SANDBOX_PORT: String(sandboxPort), FLEET_DATA_DIR: temp.dir, FLEET_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));

    const token = await waitFor('the demo to print its API token', () => /API token\s+:\s+(\S+)/.exec(output)?.[1], 60_000, 100);
    const base = `http://127.0.0.1:${port}`;
    expect(output).toContain(`Dashboard / API : ${base}`);
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };

    const health = await waitFor(
      'two workers online',
      async () => {
        const body = (await (await fetch(`${base}/health`)).json()) as { workers: { online: number }; accounts: { total: number; live: number } };
        return body.workers.online === 2 && body.accounts.live === 2 ? body : undefined;
      },
      60_000,
      200,
    );
    expect(health.accounts.total).toBe(2);

    const accounts = (await (await fetch(`${base}/api/v1/accounts`, { headers })).json()) as { items: { id: string; label: string }[] };
    const alice = accounts.items.find((a) => a.label === 'demo:alice')!;
    const post = async (body: unknown): Promise<{ id: string }> =>
      (await fetch(`${base}/api/v1/jobs`, { method: 'POST', headers, body: JSON.stringify(body) })).json() as Promise<{ id: string }>;
    const login = await post({ type: 'login', accountId: alice.id });
    const crawl = await post({ type: 'crawl', accountId: alice.id });
    const finished = await waitFor(
      'the demo crawl to finish',
      async () => {
        const job = (await (await fetch(`${base}/api/v1/jobs/${crawl.id}`, { headers })).json()) as {
          status: string;
          result: { comments: { text: string }[] };
        };
        return ['succeeded', 'failed'].includes(job.status) ? job : undefined;
      },
      60_000,
      200,
    );
    expect(finished.status).toBe('succeeded');
    expect(finished.result.comments.map((c) => c.text)).toEqual(['Welcome, Alice!', 'Looking forward to more posts.']);
    const loginJob = (await (await fetch(`${base}/api/v1/jobs/${login.id}`, { headers })).json()) as { status: string };
    expect(loginJob.status).toBe('succeeded');
    // Everything npm start started: the demo, master, two workers and their Chromium processes.
    const started = descendantsOf(child.pid!);
    expect(started.filter((p) => / (master|worker)$/.test(p.cmdline))).toHaveLength(3);
    expect(processesMentioning(temp.dir).length).toBeGreaterThan(0);

    // A new user opens the printed URL in a browser and signs in with the printed token.
    browser = await chromium.launch({ executablePath: findChromium(), args: ['--no-sandbox'] });
    const page = await browser.newPage();
    await page.goto(base);
    const tokenField = page.locator('input[name="token"]');
    const statusPage = page.locator('#status');
    await tokenField.or(statusPage).first().waitFor({ timeout: 15_000 });
    if (await tokenField.isVisible()) {
      // The dashboard: sign in, then its overview shows the fleet.
      await tokenField.fill(token);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect.poll(() => page.locator('[data-stat="online"] .stat-value').first().textContent(), { timeout: 15_000 }).toBe('2');
      await expect.poll(() => page.locator('[data-stat="total"] .stat-value').first().textContent(), { timeout: 15_000 }).toBe('2');
    } else {
      // The plain status page the master serves when no dashboard was built.
      expect(await statusPage.textContent()).toBe('ok');
      expect(await page.locator('tr', { hasText: 'Workers online' }).locator('td').textContent()).toBe('2');
      expect(
        await page
          .locator('tr', { has: page.locator('th', { hasText: /^Accounts$/ }) })
          .locator('td')
          .textContent(),
      ).toBe('2');
    }
    await browser.close();
    browser = undefined;

    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    process.kill(-child.pid!, 'SIGINT'); // Ctrl-C
    await exited;
    expect(output).toContain('stopping the fleet');
    // No demo, master, worker or Chromium process of this run is left.
    await waitFor(
      'every process npm start started to end',
      () => (stillRunning(started).length === 0 && processesMentioning(temp.dir).length === 0 ? true : undefined),
      30_000,
      200,
    );
  });
});
