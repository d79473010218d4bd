import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../../test/support/wait-for.js';
import { DashboardFleet } from './support/dashboard-fleet.js';

/**
 * How far apart two pictures look: both drawn into a 64 × 40 grey grid in the page's canvas,
 * then the mean absolute difference per cell (0 = the same, 255 = opposite).
 */
function pictureDistance(page: Page, a: string, b: string): Promise<number> {
  return page.evaluate(
    async ([first, second]) => {
      const grid = async (src: string): Promise<number[]> => {
        const img = new Image();
        img.src = src;
        await img.decode();
        const canvas = document.createElement('canvas');
        canvas.width = 64;
        canvas.height = 40;
        const g = canvas.getContext('2d')!;
        g.drawImage(img, 0, 0, 64, 40);
        const { data } = g.getImageData(0, 0, 64, 40);
        const out: number[] = [];
        for (let i = 0; i < data.length; i += 4) out.push((data[i]! + data[i + 1]! + data[i + 2]!) / 3);
        return out;
      };
      const [x, y] = [await grid(first), await grid(second)];
      return x.reduce((sum, v, i) => sum + Math.abs(v - y[i]!), 0) / x.length;
    },
    [a, b] as const,
  );
}

/** The sandbox page at `path`, rendered at the frame's viewport, as a PNG data URL. */
async function reference(ui: DashboardFleet, path: string, size: { width: number; height: number }): Promise<string> {
  const page = await ui.browser.newPage({ viewport: size });
  try {
    await page.goto(`${ui.fleet.sandbox.url}${path}`);
    return `data:image/png;base64,${(await page.screenshot()).toString('base64')}`;
  } finally {
    await page.close();
  }
}

describe('dashboard live view and takeover', () => {
  let ui: DashboardFleet | undefined;
  afterEach(async () => {
    await ui?.close();
    ui = undefined;
  });

  it('lets an operator see the code prompt in the frames, type the code from the phone, and the login carries on and stays signed in', async () => {
    ui = await DashboardFleet.start();
    const { fleet } = ui;
    await fleet.sandboxAdmin('/users', { handle: 'tess', email: 'tess@sandbox.test', password: 'tess-secret-1', secondFactor: true });
    await fleet.startWorker('w1');
    const accountId = (
      await fleet.api('POST', '/accounts', { platform: 'sandbox', label: 'tess', credentials: { username: 'tess', password: 'tess-secret-1' } })
    ).body.id as string;
    await ui.signIn(undefined, `#/accounts/${accountId}`);
    const { page } = ui;

    await page.getByRole('button', { name: 'Log in with password' }).click();
    await page.locator(`.notices [data-human-needed="${accountId}"]`).waitFor();
    await page.locator('[data-live-needed]', { hasText: 'sign-in code' }).waitFor();

    await page.getByRole('button', { name: 'Watch' }).click();
    const frame = page.locator('img[data-live-frame]');
    await frame.and(page.locator('[src^="data:image/jpeg;base64,"]')).waitFor();
    const prompt = (await frame.getAttribute('src'))!;
    const [width, height] = (await frame.getAttribute('data-viewport'))!.split('x').map(Number) as [number, number];
    const size = { width, height };
    // The frame is the worker's page: it looks like the sandbox's code prompt, not its password form.
    const [codePage, passwordPage] = [await reference(ui, '/login/code', size), await reference(ui, '/login', size)];
    const toCode = await pictureDistance(page, prompt, codePage);
    expect(toCode).toBeLessThan(await pictureDistance(page, prompt, passwordPage));
    expect(toCode).toBeLessThan(await pictureDistance(page, prompt, 'data:image/svg+xml,<svg xmlns="http://www.w3.org/2000/svg" width="8" height="5"/>'));

    const phone = await ui.browser.newPage();
    await phone.goto(`${fleet.sandbox.url}/phone/tess`);
    const code = (await phone.locator('#phone-code').textContent())!;
    await phone.close();
    expect(code).toMatch(/^\d{6}$/);

    await page.getByRole('button', { name: 'Take over' }).click();
    await page.locator('[data-live-screen].held').waitFor();
    await page.keyboard.type(code);
    // The frames follow the typing: the code appears in the picture before it is sent.
    await waitFor('a frame showing the typed code', async () => {
      const now = (await frame.getAttribute('src'))!;
      return now !== prompt && (await pictureDistance(page, now, prompt)) > 0 ? true : undefined;
    });
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Done' }).click();
    await page.locator('[data-live-screen]:not(.held)').waitFor();

    const login = (await fleet.api('GET', `/jobs?accountId=${accountId}&type=login`)).body.items[0];
    expect(await fleet.waitForJob(login.id)).toMatchObject({ status: 'succeeded', result: { handle: 'tess', skipped: false } });
    const kinds = (await fleet.api('GET', `/jobs/${login.id}/events?limit=100`)).body.items.map((e: { kind: string }) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(['human_needed', 'takeover_claimed', 'takeover_released']));
    await page.locator(`.notices [data-human-needed="${accountId}"]`).waitFor({ state: 'detached' });

    const again = await fleet.api('POST', '/jobs', { type: 'login', accountId });
    expect(await fleet.waitForJob(again.body.id)).toMatchObject({ status: 'succeeded', result: { skipped: true } });
    await ui.screenshot('live-view');
  });
});
