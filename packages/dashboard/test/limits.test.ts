import { afterEach, describe, expect, it } from 'vitest';
import { DashboardFleet } from './support/dashboard-fleet.js';

describe('dashboard limits', () => {
  let ui: DashboardFleet | undefined;
  afterEach(async () => {
    await ui?.close();
    ui = undefined;
  });

  it('sets a limit from the form, shows a refusal naming the field, deletes the limit, and shows a paused account', async () => {
    ui = await DashboardFleet.start();
    const account = (await ui.fleet.api('POST', '/accounts', { platform: 'sandbox', label: 'alice' })).body;
    await ui.signIn(undefined, '#/limits');
    const { page } = ui;
    await page.locator('[data-table="limits"]').getByText('No limit set.').waitFor();

    const form = page.locator('[data-form="limit"]');
    await form.locator('select[name="scope"]').selectOption('account');
    await form.locator('input[name="target"]').fill(account.id);
    await form.locator('input[name="jobType"]').fill('reply');
    await form.locator('input[name="max"]').fill('20');
    await form.locator('input[name="window"]').fill('3600');
    await form.getByRole('button', { name: 'Set limit' }).click();
    const row = page.locator(`[data-table="limits"] tr[data-limit-id="account:${account.id}:reply"]`);
    await row.locator('[data-cell="rule"]').getByText('20 per 1 h').waitFor();
    expect((await ui.fleet.api('GET', '/limits')).body.items).toEqual([
      expect.objectContaining({ scope: 'account', target: account.id, jobType: 'reply', rule: { max: 20, windowMs: 3_600_000 } }),
    ]);

    // A window of zero is refused by the master, and the toast names the field.
    await form.locator('input[name="window"]').fill('0');
    await form.getByRole('button', { name: 'Set limit' }).click();
    await page.locator('.toast-error').getByText('rule.windowMs').waitFor();
    await ui.screenshot('limits');

    await row.getByRole('button', { name: 'Delete' }).click();
    await page.locator('[data-table="limits"]').getByText('No limit set.').waitFor();
    expect((await ui.fleet.api('GET', '/limits')).body.items).toEqual([]);

    // The platform throttled the account (as a rate_limited report does): the pause shows on the account and on this page.
    const { scheduler } = ui.fleet.master;
    await scheduler.decide(() => scheduler.limits.pause('account', account.id, Date.now() + 600_000, '429 from the platform'));
    await page.reload();
    await page.locator(`[data-table="limit-pauses"] tr[data-pause="account:${account.id}"]`).getByText('429 from the platform').waitFor();
    await ui.go(`#/accounts/${account.id}`);
    await page.locator('[data-field="platform"] [data-paused-until]').waitFor();
    await ui.go('#/accounts');
    await page.locator(`tr[data-account-id="${account.id}"] [data-paused-until]`).waitFor();
  });
});
