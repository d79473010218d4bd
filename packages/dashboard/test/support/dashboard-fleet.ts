import { existsSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { findChromium } from '@fleetwright/shared';
import { FleetHarness } from '../../../../test/support/fleet-harness.js';

export const DASHBOARD_DIST = fileURLToPath(new URL('../../dist/', import.meta.url));
/**
 * Where the tests' screenshots go: a temp dir, so `npm test` never rewrites the repository.
 * `npm run screenshots` points it at docs/screenshots to refresh the README's pictures.
 */
export const SCREENSHOTS_DIR = path.resolve(process.env.FLEET_SCREENSHOTS_DIR ?? path.join(os.tmpdir(), 'fleetwright-screenshots'));

/** Every wait on the page is bounded: a stuck dashboard fails the test, it does not hang it. */
export const UI_TIMEOUT_MS = 20_000;

/**
 * A whole fleet on loopback (sandbox, master serving the built dashboard, workers on demand) and a
 * real Chromium looking at the dashboard. `close()` ends all of it.
 */
export class DashboardFleet {
  readonly fleet: FleetHarness;
  browser!: Browser;
  page!: Page;

  private constructor(options: { heartbeatIntervalMs?: number }) {
    this.fleet = new FleetHarness({ ...options, dashboardDir: DASHBOARD_DIST });
  }

  static async start(options: { heartbeatIntervalMs?: number } = {}): Promise<DashboardFleet> {
    if (!existsSync(path.join(DASHBOARD_DIST, 'index.html')) || !existsSync(path.join(DASHBOARD_DIST, 'app.js'))) {
      throw new Error(`the dashboard is not built in ${DASHBOARD_DIST}: run \`npm run build\` first`);
    }
    const fixture = new DashboardFleet(options);
    try {
      await fixture.fleet.start();
      fixture.browser = await chromium.launch({ executablePath: findChromium(), headless: true, timeout: UI_TIMEOUT_MS });
      fixture.page = await fixture.browser.newPage({ viewport: { width: 1280, height: 860 } });
      fixture.page.setDefaultTimeout(UI_TIMEOUT_MS);
    } catch (error) {
      await fixture.close();
      throw error;
    }
    return fixture;
  }

  get url(): string {
    return this.fleet.master.url;
  }

  /** Opens the dashboard and signs in through its form, as an operator would. */
  async signIn(token = this.fleet.apiToken, hash = '#/overview'): Promise<void> {
    await this.page.goto(`${this.url}/${hash}`);
    await this.page.getByLabel('API token').fill(token);
    await this.page.getByRole('button', { name: 'Sign in' }).click();
    await this.page.locator('.topbar').waitFor();
    await this.page.locator('.live[data-live="live"]').waitFor();
  }

  async go(hash: string): Promise<void> {
    await this.page.evaluate((h) => (location.hash = h), hash);
  }

  /** Saves the page as <SCREENSHOTS_DIR>/<name>.png. */
  async screenshot(name: string): Promise<void> {
    mkdirSync(SCREENSHOTS_DIR, { recursive: true });
    await this.page.screenshot({ path: path.join(SCREENSHOTS_DIR, `${name}.png`), fullPage: true });
  }

  async close(): Promise<void> {
    await this.browser?.close().catch(() => undefined);
    await this.fleet.close();
  }
}
