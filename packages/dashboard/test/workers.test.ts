import { afterEach, describe, expect, it } from 'vitest';
import { DashboardFleet } from './support/dashboard-fleet.js';

describe('dashboard workers', () => {
  let ui: DashboardFleet | undefined;
  afterEach(async () => {
    await ui?.close();
    ui = undefined;
  });

  it('shows a worker going offline when it is stopped, and drains another from its row', async () => {
    ui = await DashboardFleet.start({ heartbeatIntervalMs: 300 });
    const w1 = await ui.fleet.startWorker('w1');
    await ui.fleet.startWorker('w2');
    await ui.signIn(undefined, '#/workers');
    const { page } = ui;
    const row = (id: string) => page.locator(`[data-table="workers"] tr[data-worker-id="${id}"]`);
    await row('w1').locator('[data-status="online"]').waitFor();
    await row('w2').locator('[data-status="online"]').waitFor();
    // The heartbeat stats arrive: memory and live contexts are filled in.
    await page.waitForFunction(() => [...document.querySelectorAll('[data-cell="memory"]')].every((td) => /MB|KB|GB/.test(td.textContent ?? '')));
    expect(await row('w1').locator('[data-cell="heartbeat"]').textContent()).toMatch(/\ds ago/);
    await ui.screenshot('workers');

    await w1.close();
    await row('w1').locator('[data-status="offline"]').waitFor();
    expect(await row('w1').getByRole('button', { name: 'Drain' }).isDisabled()).toBe(true);

    await row('w2').getByRole('button', { name: 'Drain' }).click();
    await row('w2').locator('[data-status="draining"]').waitFor();
    const workers = await ui.fleet.api('GET', '/workers');
    expect(Object.fromEntries((workers.body.items as { id: string; status: string }[]).map((w) => [w.id, w.status]))).toEqual({
      w1: 'offline',
      w2: 'draining',
    });
  });
});
