import { errors, type Page } from 'playwright-core';
import { FleetError } from '@fleetwright/shared';
import type { JobContext } from '../plugin.js';
import { step } from './job-step.js';
import { SandboxSelectors as S, SandboxUrls } from './sandbox-site.js';
import { pageAlert, signedInHandle } from './signed-in-page.js';

const PNG_DATA_URL = 'data:image/png;base64,';

/**
 * QR sign-in on the page already showing the code: hand the code to the master (and on to whoever
 * holds the phone), then wait for the page to sign in by itself. Bounded by `timeoutMs` and the
 * job's signal. An unapproved or expired code fails without retry: a retry would only show a new
 * code nobody is looking at.
 */
export async function qrLogin(ctx: JobContext, page: Page, timeoutMs: number): Promise<string> {
  step(ctx, 25, 'read_qr', 'reading the QR code');
  const dataUrl = await page.locator(S.qrImage).getAttribute('src');
  if (!dataUrl?.startsWith(PNG_DATA_URL)) throw new FleetError('SELECTOR_NOT_FOUND', 'the QR sign-in page shows no PNG QR code');
  const expiresAt = await page
    .locator(S.qrExpires)
    .getAttribute('datetime', { timeout: 2000 })
    .catch(() => null);
  await ctx.emit('qrcode', { dataUrl });
  await ctx.emit('login_status', { status: 'waiting_scan', ...(expiresAt ? { message: `scan before ${expiresAt}` } : {}) });

  step(ctx, 40, 'wait_for_scan', `waiting up to ${timeoutMs} ms for the QR code to be approved`);
  try {
    // Approved: the page goes to /complete, which signs in and lands on /home. Refused or expired:
    // it stays on /complete, which says why.
    await page.waitForURL((url) => url.pathname === SandboxUrls.home || url.pathname.endsWith('/complete'), { timeout: timeoutMs });
  } catch (error) {
    if (!(error instanceof errors.TimeoutError) || ctx.signal.aborted) throw error;
    await ctx.emit('login_status', { status: 'expired', message: `nobody approved the QR code within ${timeoutMs} ms` });
    throw new FleetError('AUTH_FAILED', `QR login expired: nobody approved the code within ${timeoutMs} ms; start a new QR login`, { retryable: false });
  }

  step(ctx, 75, 'verify_session', 'checking that the QR approval signed us in');
  const handle = await signedInHandle(page);
  if (handle) return handle;
  const alert = (await pageAlert(page)) ?? 'the site did not sign us in';
  const expired = /expired/i.test(alert);
  await ctx.emit('login_status', { status: expired ? 'expired' : 'failed', message: alert });
  throw new FleetError('AUTH_FAILED', `QR login ${expired ? 'expired' : 'failed'}: ${alert}`, { retryable: false });
}
