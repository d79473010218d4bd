import { afterEach, describe, expect, it } from 'vitest';
import { decodeQrDataUrl } from '../../../test/support/qr-decode.js';
import { processesMentioning } from '../../../test/support/processes.js';
import { DashboardFleet } from './support/dashboard-fleet.js';

describe('dashboard accounts', () => {
  let ui: DashboardFleet | undefined;
  afterEach(async () => {
    await ui?.close();
    ui = undefined;
  });

  it('creates an account and edits it with its secrets masked; a blank password keeps the stored one', async () => {
    ui = await DashboardFleet.start();
    await ui.signIn(undefined, '#/accounts/new');
    const { page } = ui;
    await page.getByLabel('Label').fill('eve main');
    await page.getByLabel('Tags (pools)').fill('team-a, eu');
    await page.getByLabel('Username').fill('eve');
    await page.getByLabel('Password').fill('eve-secret-1');
    await page.getByLabel('URL').fill('http://proxyuser:proxy-pass-1@127.0.0.1:8080');
    await page.getByRole('button', { name: 'Create' }).click();

    await page.locator('[data-panel="details"] dl').waitFor();
    const accountId = decodeURIComponent(new URL(page.url()).hash.split('/')[2]!);
    const details = await page.locator('[data-panel="details"]').textContent();
    expect(details).toContain('********');
    expect(details).toContain('http://proxyuser:****@127.0.0.1:8080');
    expect(await page.content()).not.toContain('eve-secret-1');
    expect(await page.content()).not.toContain('proxy-pass-1');

    await page.getByRole('link', { name: 'Edit' }).click();
    await expect(page.getByLabel('Password').inputValue()).resolves.toBe('');
    expect(await page.getByLabel('Password').getAttribute('placeholder')).toContain('leave blank to keep');
    await ui.screenshot('account-form');
    await page.getByLabel('Label').fill('eve renamed');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.locator('h1', { hasText: 'eve renamed' }).waitFor();

    // The master still holds the first password: the blank field kept it.
    const { accounts } = ui.fleet.master.store;
    expect(accounts.secretsOf(accounts.require(accountId))).toMatchObject({
      credentials: { username: 'eve', password: 'eve-secret-1' },
      proxy: 'http://proxyuser:proxy-pass-1@127.0.0.1:8080',
    });
    expect((await ui.fleet.api('GET', `/accounts/${accountId}`)).body).toMatchObject({
      label: 'eve renamed',
      tags: ['team-a', 'eu'],
      credentials: { username: 'eve', password: '********' },
    });

    await page.getByRole('link', { name: 'Accounts' }).click();
    await page.locator(`tr[data-account-id="${accountId}"]`, { hasText: 'eve renamed' }).waitFor();
  });

  it("shows a QR login's code the moment the worker reads it, then its success once the phone approves", async () => {
    ui = await DashboardFleet.start();
    await ui.fleet.sandboxAdmin('/users', { handle: 'alice', email: 'alice@sandbox.test', password: 'alice-secret-1' });
    await ui.fleet.startWorker('w1');
    const account = await ui.fleet.api('POST', '/accounts', { platform: 'sandbox', label: 'alice by QR', tags: ['team-a'] });
    await ui.signIn(undefined, `#/accounts/${account.body.id}`);
    const { page } = ui;

    await page.getByRole('button', { name: 'Log in by QR code' }).click();
    const image = page.locator('[data-qr] img');
    await image.waitFor({ state: 'visible', timeout: 60_000 });
    await page.locator('[data-login-status] [data-status="waiting_scan"]').waitFor();
    await ui.screenshot('account-qr-login');

    // The phone: read the code from the image the dashboard shows, and approve it.
    const token = decodeQrDataUrl((await image.getAttribute('src'))!);
    await ui.fleet.sandboxAdmin('/qr/approve', { token, user: 'alice' });

    await page.locator('[data-login-status] [data-status="success"]').waitFor({ timeout: 60_000 });
    await page.locator('[data-login-job] [data-status="succeeded"]').waitFor();
    await page.locator('[data-field="steps"] [data-step="login"] [data-status="success"]').waitFor();
    expect(await image.isVisible()).toBe(false);
    await ui.screenshot('account');
  });

  it('starts a crawl monitor on an account and pauses it', async () => {
    ui = await DashboardFleet.start();
    const account = await ui.fleet.api('POST', '/accounts', { platform: 'sandbox', label: 'monitored' });
    await ui.signIn(undefined, `#/accounts/${account.body.id}`);
    const { page } = ui;
    await page.getByRole('button', { name: 'Start monitor' }).click();
    const row = page.locator('[data-table="monitors"] tr[data-monitor-id]');
    await row.locator('[data-status="active"]').waitFor();
    await row.getByRole('button', { name: 'Pause' }).click();
    await row.locator('[data-status="paused"]').waitFor();
    const monitors = await ui.fleet.api('GET', `/monitors?accountId=${account.body.id}`);
    expect(monitors.body.items).toMatchObject([{ type: 'crawl', paused: true, minIntervalMs: 15_000, maxIntervalMs: 30_000 }]);
    await row.getByRole('button', { name: 'Resume' }).click();
    await row.locator('[data-status="active"]').waitFor();
  });

  it("shows each account's browser and lock holder live, starts and stops it, and shows a killed browser as error", async () => {
    ui = await DashboardFleet.start();
    const worker = await ui.fleet.startWorker('w1');
    const first = (await ui.fleet.api('POST', '/accounts', { platform: 'sandbox', label: 'browser one' })).body;
    const second = (await ui.fleet.api('POST', '/accounts', { platform: 'sandbox', label: 'browser two' })).body;
    await ui.signIn(undefined, '#/accounts');
    const { page } = ui;
    const cell = (id: string) => page.locator(`tr[data-account-id="${id}"] [data-field="browser"]`);

    // The worker warms both accounts on assignment; the page follows without a reload.
    for (const id of [first.id, second.id]) await cell(id).locator('[data-browser-state="running"]').waitFor({ timeout: 30_000 });
    const fence = worker.browsers.fenceTokenOf(first.id);
    expect(await cell(first.id).locator('[data-lock-holder]').textContent()).toBe(`lock: w1 · fence ${fence}`);
    expect(await cell(first.id).getByRole('button', { name: 'Start' }).isDisabled()).toBe(true);

    // Stop hibernates it: the context closes on the worker, the row says so.
    await cell(first.id).getByRole('button', { name: 'Stop' }).click();
    await cell(first.id).locator('[data-browser-state="stopped"]').waitFor();
    expect(await cell(first.id).textContent()).toContain('lock: none');
    expect(worker.browsers.liveAccountIds()).toEqual([second.id]);
    expect((await ui.fleet.api('GET', `/accounts/${first.id}`)).body.browser).toMatchObject({ state: 'stopped', lockHolder: null });
    await ui.screenshot('accounts-browsers');

    // Start warms it again.
    await cell(first.id).getByRole('button', { name: 'Start' }).click();
    await cell(first.id).locator('[data-browser-state="running"]').waitFor();
    expect(worker.browsers.liveAccountIds().sort()).toEqual([first.id, second.id].sort());

    // On the account's page, a browser killed from outside turns to error live, with the reason.
    await ui.go(`#/accounts/${second.id}`);
    const field = page.locator('[data-panel="details"] [data-field="browser"]');
    await field.locator('[data-browser-state="running"]').waitFor();
    for (const pid of processesMentioning(worker.browsers.profileDir(second.id))) process.kill(pid, 'SIGKILL');
    await field.locator('[data-browser-state="error"]').waitFor({ timeout: 15_000 });
    expect(await field.locator('[data-browser-error]').textContent()).toContain('closed unexpectedly');
    await field.getByRole('button', { name: 'Start' }).click();
    await field.locator('[data-browser-state="running"]').waitFor({ timeout: 30_000 });
  });
});
