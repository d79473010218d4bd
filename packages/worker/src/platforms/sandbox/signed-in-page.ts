import type { Page } from 'playwright-core';
import { FleetError } from '@fleetwright/shared';
import { SandboxSelectors as S, SandboxUrls } from './sandbox-site.js';

/** The handle the site shows as signed in (`@alice` → `alice`), or null on a signed-out page. */
export async function signedInHandle(page: Page): Promise<string | null> {
  const whoami = page.locator(S.whoami);
  if ((await whoami.count()) === 0) return null;
  return (await whoami.innerText()).trim().replace(/^@/, '');
}

/**
 * Opens a page of the site that needs a session and returns who is signed in. The site sends a
 * signed-out visitor to the login page: that is AUTH_FAILED (not retryable), since only a login
 * job can fix it.
 */
export async function openSignedIn(page: Page, baseUrl: string, path: string): Promise<string> {
  await page.goto(new URL(path, baseUrl).href);
  const handle = new URL(page.url()).pathname === SandboxUrls.login ? null : await signedInHandle(page);
  if (!handle) throw new FleetError('AUTH_FAILED', 'the session is gone: run login first');
  return handle;
}

/** What the page's error alert says, or null when it shows none. */
export async function pageAlert(page: Page): Promise<string | null> {
  const alert = page.locator(S.errorAlert);
  if ((await alert.count()) === 0) return null;
  return (await alert.first().innerText()).trim();
}
