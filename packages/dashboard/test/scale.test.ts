import { afterEach, describe, expect, it } from 'vitest';
import type { Request } from 'playwright-core';
import { DashboardFleet } from './support/dashboard-fleet.js';
import { seedScale } from './support/seed-scale.js';

/** Generous for two shared cores; a page that loaded everything would take far longer. */
const PAGE_BUDGET_MS = 4000;

describe('dashboard at fleet scale', () => {
  let ui: DashboardFleet | undefined;
  afterEach(async () => {
    await ui?.close();
    ui = undefined;
  });

  it('stays quick with 10,000 accounts and 100,000 jobs: the master pages, the page holds 50 rows', async () => {
    ui = await DashboardFleet.start();
    const seeded = seedScale(ui.fleet.master, 10_000, 100_000);
    const { page } = ui;
    const apiCalls: URL[] = [];
    page.on('request', (r: Request) => void (r.url().includes('/api/v1/') && apiCalls.push(new URL(r.url()))));
    await ui.signIn();

    let started = Date.now();
    await page.locator('[data-stat="total"] .stat-value[data-value="10000"]').waitFor();
    expect(Date.now() - started).toBeLessThan(PAGE_BUDGET_MS);
    expect(await page.locator('[data-stat="failed"] .stat-value').getAttribute('data-value')).toBe(String(seeded.jobs.failed));
    // The last hour's finished jobs, minute by minute, add up to what was seeded.
    const bars = await page
      .locator('svg[data-chart="jobs-per-minute"] g[data-minute]')
      .evaluateAll((gs) => gs.map((g) => ({ finished: Number(g.getAttribute('data-finished')), failed: Number(g.getAttribute('data-failed')) })));
    expect(bars).toHaveLength(60);
    const totalFinished = bars.reduce((n, b) => n + b.finished, 0);
    expect(totalFinished).toBeGreaterThan(95_000);
    expect(totalFinished).toBeLessThanOrEqual(100_000);
    await ui.screenshot('overview');

    started = Date.now();
    await ui.go('#/accounts');
    await page.locator('[data-table="accounts"] tbody tr[data-account-id]').nth(49).waitFor();
    expect(Date.now() - started).toBeLessThan(PAGE_BUDGET_MS);
    expect(await page.locator('[data-table="accounts"] tbody tr').count()).toBe(50);
    await ui.screenshot('accounts');
    const first = await page.locator('[data-table="accounts"] tbody tr').first().getAttribute('data-account-id');
    await page.getByRole('button', { name: 'Older ›' }).click();
    await page.locator('.pager', { hasText: 'page 2' }).waitFor();
    await page.waitForFunction((id) => document.querySelector('[data-table="accounts"] tbody tr')?.getAttribute('data-account-id') !== id, first);
    expect(await page.locator('[data-table="accounts"] tbody tr').count()).toBe(50);

    started = Date.now();
    await ui.go('#/jobs?status=failed');
    await page.locator('[data-table="jobs"] tbody tr[data-job-id]').nth(49).waitFor();
    expect(Date.now() - started).toBeLessThan(PAGE_BUDGET_MS);
    const statuses = await page.locator('[data-table="jobs"] tbody [data-cell="status"] .badge').allTextContents();
    expect(statuses).toEqual(Array(50).fill('failed'));

    // Every list request asked the master for one page; nothing asked for everything.
    const lists = apiCalls.filter((u) => /\/api\/v1\/(accounts|jobs|messages|monitors)$/.test(u.pathname));
    expect(lists.length).toBeGreaterThan(0);
    for (const url of lists) expect(Number(url.searchParams.get('limit')), url.href).toBeLessThanOrEqual(100);
    expect(await page.evaluate(() => document.querySelectorAll('tr').length)).toBeLessThan(120);
  });
});
