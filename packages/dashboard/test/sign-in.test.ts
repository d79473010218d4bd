import { afterEach, describe, expect, it } from 'vitest';
import { DashboardFleet } from './support/dashboard-fleet.js';

describe('dashboard sign-in', () => {
  let ui: DashboardFleet | undefined;
  afterEach(async () => {
    await ui?.close();
    ui = undefined;
  });

  it('signs in with a token kept only in an httpOnly cookie, shows the overview, and signs out', async () => {
    ui = await DashboardFleet.start();
    await ui.fleet.startWorker('w1');
    const { page } = ui;
    // The master serves the built files, and nothing of the type-check output kept beside them.
    const app = await fetch(`${ui.url}/app.js`);
    expect(app.status).toBe(200);
    expect(app.headers.get('content-type')).toMatch(/javascript/);
    expect((await fetch(`${ui.url}/.tsbuildinfo`)).status).toBe(404);

    await page.goto(`${ui.url}/`);
    await page.getByLabel('API token').waitFor();
    await ui.screenshot('sign-in');

    await page.getByLabel('API token').fill('wrong-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('UNAUTHORIZED');

    await ui.signIn();
    expect(await page.locator('.role').textContent()).toBe('admin');
    // The token never reaches page scripts: the cookie is httpOnly and nothing is kept in storage.
    const cookies = await page.context().cookies();
    expect(cookies.find((c) => c.name === 'fleet_session')).toMatchObject({ httpOnly: true, sameSite: 'Strict', value: ui.fleet.apiToken });
    expect(await page.evaluate(() => document.cookie)).toBe('');
    expect(await page.evaluate(() => localStorage.length + sessionStorage.length)).toBe(0);

    await page.locator('[data-stat="online"] .stat-value[data-value="1"]').waitFor();
    await page.locator('svg[data-chart="jobs-per-minute"]').waitFor();
    expect(await page.locator('svg[data-chart="jobs-per-minute"] g[data-minute]').count()).toBe(60);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API token').waitFor();
    expect((await page.context().cookies()).find((c) => c.name === 'fleet_session')).toBeUndefined();
    // Signed out means signed out: a reload asks for the token again.
    await page.reload();
    await page.getByLabel('API token').waitFor();
  });
});
