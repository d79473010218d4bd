import { afterEach, describe, expect, it } from 'vitest';
import { DashboardFleet } from './support/dashboard-fleet.js';

describe('dashboard workers: memory pressure', () => {
  let ui: DashboardFleet | undefined;
  afterEach(async () => {
    await ui?.close();
    ui = undefined;
  });

  it("shows each worker's browser memory against its limit, and marks the one under pressure", async () => {
    ui = await DashboardFleet.start({ heartbeatIntervalMs: 300 });
    // A limit the first browser alone is far above.
    await ui.fleet.startWorker('tight', { memoryLimitMb: 1 });
    const account = await ui.fleet.api('POST', '/accounts', { platform: 'sandbox', label: 'on the tight worker' });
    expect(account.status).toBe(201);
    await ui.fleet.startWorker('roomy', { memoryLimitMb: 100_000 });
    await ui.signIn(undefined, '#/workers');
    const { page } = ui;
    const pressure = (id: string) => page.locator(`[data-table="workers"] tr[data-worker-id="${id}"] [data-memory-pressure]`);
    await pressure('tight').locator('[data-status="pressure"]').waitFor();
    expect(await pressure('tight').getAttribute('data-memory-pressure')).toBe('high');
    expect(await pressure('tight').textContent()).toMatch(/PSS .*MB of 1(\.0)? MB/);
    await page.waitForFunction(
      () => document.querySelector('tr[data-worker-id="roomy"] [data-memory-pressure]')?.getAttribute('data-memory-pressure') === 'ok',
    );
    expect(await pressure('roomy').locator('[data-status="pressure"]').count()).toBe(0);
  });
});
