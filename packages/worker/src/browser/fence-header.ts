import type { BrowserContext } from 'playwright-core';

/** The header that carries an account's fencing token to the sites that check it. */
export const FENCE_HEADER = 'x-fleet-fence';

/** `https://example.test/` → `https://example.test`; anything that is not an http(s) origin is dropped. */
export function normalizeOrigins(origins: readonly string[]): string[] {
  const out = new Set<string>();
  for (const origin of origins) {
    try {
      const url = new URL(origin);
      if (url.protocol === 'http:' || url.protocol === 'https:') out.add(url.origin);
    } catch {
      // checked when the plugin loads; a bad one here simply gets no header
    }
  }
  return [...out];
}

/**
 * Adds the fencing token to requests for the fence-aware origins only, read at request time so a
 * newer token (a reassignment) applies at once. Each origin is its own glob route: Playwright
 * matches the patterns before any handler runs, so a request to another origin goes on as it
 * was, without the header and without a call into our handler.
 */
export async function sendFenceTo(context: BrowserContext, origins: readonly string[], token: () => number): Promise<void> {
  for (const origin of normalizeOrigins(origins)) {
    await context.route(`${origin}/**`, (route) => route.continue({ headers: { ...route.request().headers(), [FENCE_HEADER]: String(token()) } }));
  }
}
