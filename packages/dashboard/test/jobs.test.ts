import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../../test/support/wait-for.js';
import { DashboardFleet, UI_TIMEOUT_MS } from './support/dashboard-fleet.js';

describe('dashboard jobs', () => {
  let ui: DashboardFleet | undefined;
  afterEach(async () => {
    await ui?.close();
    ui = undefined;
  });

  async function fleetWithAccount(password: string): Promise<{ ui: DashboardFleet; accountId: string }> {
    const started = await DashboardFleet.start();
    ui = started;
    await started.fleet.sandboxAdmin('/users', { handle: 'dora', email: 'dora@sandbox.test', password: 'dora-secret-1' });
    await started.fleet.startWorker('w1');
    const account = await started.fleet.api('POST', '/accounts', {
      platform: 'sandbox',
      label: 'dora',
      tags: ['team-a'],
      credentials: { username: 'dora', password },
    });
    return { ui: started, accountId: account.body.id as string };
  }

  it("moves a login job's progress bar to 100 % in the jobs list as the worker reports it", async () => {
    ui = await DashboardFleet.start();
    await ui.fleet.sandboxAdmin('/users', { handle: 'dora', email: 'dora@sandbox.test', password: 'dora-secret-1' });
    const account = await ui.fleet.api('POST', '/accounts', {
      platform: 'sandbox',
      label: 'dora',
      credentials: { username: 'dora', password: 'dora-secret-1' },
    });
    await ui.signIn(undefined, '#/jobs');
    const { page } = ui;
    await page.locator('[data-table="jobs"] td.empty').waitFor();
    // No worker yet: the job shows up queued at 0 %, and every step the worker reports moves it.
    const job = await ui.fleet.api('POST', '/jobs', { type: 'login', accountId: account.body.id });
    const row = page.locator(`tr[data-job-id="${job.body.id}"]`);
    await row.locator('[role="progressbar"][aria-valuenow="0"]').waitFor();
    await page.evaluate((id) => {
      const seen: string[] = [];
      (window as unknown as { seen: string[] }).seen = seen;
      new MutationObserver(() => {
        const value = document.querySelector(`tr[data-job-id="${id}"] [role="progressbar"]`)?.getAttribute('aria-valuenow');
        if (value !== undefined && value !== null && seen.at(-1) !== value) seen.push(value);
      }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['aria-valuenow'] });
    }, job.body.id as string);
    await ui.fleet.startWorker('w1');

    await row.locator('[role="progressbar"][aria-valuenow="100"]').waitFor({ timeout: 60_000 });
    await row.locator('[data-status="succeeded"]').waitFor();
    const seen = (await page.evaluate(() => (window as unknown as { seen: string[] }).seen)).map(Number);
    expect(seen.at(-1)).toBe(100);
    // It moved through the worker's steps, not straight from nothing to done.
    expect(seen.some((v) => v > 0 && v < 100)).toBe(true);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(await row.locator('.progress-label').textContent()).toContain('100 %');
    await ui.screenshot('jobs');

    await row.locator('a').first().click();
    await page.locator('[data-timeline] li[data-kind="progress"]').first().waitFor();
    await page.locator('pre[data-log="run.log"]').waitFor();
    expect(await page.locator('pre[data-log="run.log"]').textContent()).toContain('open_login');
    expect(await page.locator('pre[data-log="run.log"]').textContent()).not.toContain('dora-secret-1');
    await ui.screenshot('job');
  });

  it("shows a failed job's screenshot inline, its run.log and trace, and retries it as a new job", async () => {
    const { ui, accountId } = await fleetWithAccount('dora-WRONG-1');
    const failed = await ui.fleet.api('POST', '/jobs', { type: 'login', accountId });
    await ui.fleet.waitForJob(failed.body.id);
    await ui.signIn(undefined, `#/jobs/${failed.body.id}`);
    const { page } = ui;

    await page.locator('[data-field="error"]', { hasText: 'AUTH_FAILED' }).waitFor();
    expect(await page.locator('[data-field="error"] [data-error-class]').textContent()).toBe('auth');
    const shot = page.locator('img[data-screenshot$="_failed.png"]');
    await shot.waitFor();
    await waitFor(
      'the failure screenshot to load',
      () => shot.evaluate((img: HTMLImageElement) => (img.complete && img.naturalWidth > 0 ? true : undefined)),
      UI_TIMEOUT_MS,
    );
    expect(await page.locator('pre[data-log="run.log"]').textContent()).toContain('AUTH_FAILED');
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-artifact="trace.zip"]').click()]);
    expect(download.suggestedFilename()).toBe('trace.zip');
    await ui.screenshot('job-failed');

    await page.getByRole('button', { name: 'Retry' }).click();
    await page.waitForFunction((id) => /^#\/jobs\/[^/]+$/.test(location.hash) && !location.hash.endsWith(id), failed.body.id);
    const retryId = decodeURIComponent(new URL(page.url()).hash.split('/')[2]!);
    const retried = await ui.fleet.api('GET', `/jobs/${retryId}`);
    expect(retried.body).toMatchObject({ type: 'login', accountId, payload: failed.body.payload });
    expect(retryId).not.toBe(failed.body.id);
  });

  it("shows a batch's children with their live progress, and the batch finishing with them", async () => {
    const { ui, accountId } = await fleetWithAccount('dora-secret-1');
    const batch = await ui.fleet.api('POST', '/batches', {
      children: [
        { type: 'login', accountId },
        { type: 'crawl', accountId },
      ],
    });
    expect(batch.status).toBe(201);
    await ui.signIn(undefined, `#/jobs/${batch.body.id}`);
    const { page } = ui;
    const children = page.locator('[data-table="children"] tbody tr[data-job-id]');
    await children.nth(1).waitFor();
    expect(await children.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-job-id')))).toEqual(batch.body.childIds);
    for (const id of batch.body.childIds as string[]) {
      await page.locator(`[data-table="children"] tr[data-job-id="${id}"] [role="progressbar"][aria-valuenow="100"]`).waitFor({ timeout: 60_000 });
    }
    await page.locator('[data-job-status] [data-status="succeeded"]').waitFor({ timeout: 30_000 });
    await ui.screenshot('batch');
  });

  it('cancels a running job from its page', async () => {
    const { ui, accountId } = await fleetWithAccount('dora-secret-1');
    // A QR login waits for a phone that never comes: a job that stays running until cancelled.
    const job = await ui.fleet.api('POST', '/jobs', { type: 'login', accountId, payload: { method: 'qr', qrTimeoutMs: 120_000 } });
    await ui.fleet.waitForJob(job.body.id, ['running']);
    await ui.signIn(undefined, `#/jobs/${job.body.id}`);
    const { page } = ui;
    await page.locator('[data-job-status] [data-status="running"]').waitFor();
    // While it runs, run.log is tailed live from the worker (the file arrives when the job ends).
    const live = page.locator('pre[data-log="live"]');
    await live.waitFor();
    expect(await live.textContent()).toContain(`job ${job.body.id} sandbox/login attempt 1 on account ${accountId}`);
    await page.locator('pre[data-log="live"]', { hasText: 'emit login_status' }).waitFor();

    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.locator('[data-job-status] [data-status="cancelled"]').waitFor();
    expect((await ui.fleet.waitForJob(job.body.id, ['cancelled'], 10_000)).status).toBe('cancelled');
    // Finished: cancel gives way to retry, and the tail switches to the uploaded run.log.
    await page.getByRole('button', { name: 'Retry' }).waitFor();
    await page.locator('pre[data-log="run.log"]', { hasText: 'JOB_CANCELLED' }).waitFor();
  });
});
