import type { BrowserContext } from 'playwright-core';
import type { StorageState } from '@fleetwright/shared';

/**
 * Puts a stored state into a fresh persistent context: cookies directly, localStorage by loading
 * each origin once behind a stubbed route (so the real site is not hit) and writing the items.
 */
export async function restoreStorageState(context: BrowserContext, state: StorageState): Promise<void> {
  if (state.cookies.length > 0) await context.addCookies(state.cookies as unknown as Parameters<BrowserContext['addCookies']>[0]);
  const origins = state.origins.filter((o) => o.localStorage.length > 0);
  if (origins.length === 0) return;
  const page = await context.newPage();
  try {
    for (const origin of origins) {
      const pattern = `${origin.origin}/**`;
      await page.route(pattern, (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>restore</title>' }));
      await page.goto(`${origin.origin}/`);
      await page.evaluate((items) => {
        for (const { name, value } of items) window.localStorage.setItem(name, value);
      }, origin.localStorage);
      await page.unroute(pattern);
    }
  } finally {
    await page.close();
  }
}
