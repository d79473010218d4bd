import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { DashboardFleet } from './support/dashboard-fleet.js';

/**
 * Enables a disabled button behind the page's back and clicks it, in one step inside the page:
 * live events re-render rows (a heartbeat every 500 ms here), and a button found in one step can
 * be replaced by a fresh disabled one before the next.
 */
function forceClick(page: Page, selector: string): Promise<void> {
  return page.evaluate((sel) => {
    const button = document.querySelector<HTMLButtonElement>(sel);
    if (!button) throw new Error(`no ${sel}`);
    button.disabled = false;
    button.click();
  }, selector);
}

describe('dashboard as a viewer', () => {
  let ui: DashboardFleet | undefined;
  afterEach(async () => {
    await ui?.close();
    ui = undefined;
  });

  it("disables a viewer's actions, and the master refuses a change forced through the page", async () => {
    ui = await DashboardFleet.start();
    await ui.fleet.startWorker('w1');
    const account = await ui.fleet.api('POST', '/accounts', { platform: 'sandbox', label: 'look-only' });
    const viewer = await ui.fleet.api('POST', '/tokens', { name: 'auditor', role: 'viewer' });
    await ui.signIn(viewer.body.token as string, '#/workers');
    const { page } = ui;
    expect(await page.locator('.role').textContent()).toBe('viewer');

    const drain = page.locator('tr[data-worker-id="w1"]').getByRole('button', { name: 'Drain' });
    await drain.waitFor();
    expect(await drain.isDisabled()).toBe(true);
    expect(await drain.getAttribute('title')).toBe('viewers cannot change anything');

    // Forced: enable the button behind the page's back and press it. The master says no.
    await forceClick(page, 'tr[data-worker-id="w1"] [data-action="drain"]');
    await page.getByRole('alert').filter({ hasText: 'FORBIDDEN' }).waitFor();
    expect(await page.getByRole('alert').filter({ hasText: 'FORBIDDEN' }).textContent()).toContain('a viewer token cannot change anything');
    expect((await ui.fleet.api('GET', '/workers')).body.items[0].status).toBe('online');

    // The socket refuses too: a login started by a viewer never becomes a job.
    await ui.go(`#/accounts/${account.body.id}`);
    const qr = page.getByRole('button', { name: 'Log in by QR code' });
    await qr.waitFor();
    expect(await qr.isDisabled()).toBe(true);
    await forceClick(page, '[data-login="qr"]');
    await page.getByRole('alert').filter({ hasText: 'Starting a qr login refused' }).waitFor();
    expect((await ui.fleet.api('GET', `/jobs?accountId=${account.body.id}`)).body.items).toEqual([]);

    // Nor can a viewer stop an account's browser: disabled, and refused when forced.
    await ui.go('#/accounts');
    const stop = page.locator(`tr[data-account-id="${account.body.id}"]`).getByRole('button', { name: 'Stop' });
    await page.locator(`tr[data-account-id="${account.body.id}"] [data-browser-state="running"]`).waitFor({ timeout: 30_000 });
    expect(await stop.isDisabled()).toBe(true);
    await forceClick(page, `tr[data-account-id="${account.body.id}"] [data-browser-action="stop"]`);
    await page.getByRole('alert').filter({ hasText: 'Stopping the browser refused' }).waitFor();
    expect((await ui.fleet.api('GET', `/accounts/${account.body.id}`)).body.browser.state).toBe('running');

    // Reading is fine: the job list and the overview load.
    await ui.go('#/overview');
    await page.locator('svg[data-chart="jobs-per-minute"]').waitFor();
  });
});
