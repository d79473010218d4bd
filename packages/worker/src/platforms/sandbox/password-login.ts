import type { Page } from 'playwright-core';
import { FleetError } from '@fleetwright/shared';
import type { JobContext } from '../plugin.js';
import { step } from './job-step.js';
import { SandboxSelectors as S } from './sandbox-site.js';
import { pageAlert, signedInHandle } from './signed-in-page.js';

/**
 * Fills the login form (already open on `page`) and returns the handle signed in as. An account
 * with a second factor is handed to a person, who reads the code on the phone and enters it.
 */
export async function passwordLogin(ctx: JobContext, page: Page, humanTimeoutMs: number): Promise<string> {
  if (!ctx.credentials) throw new FleetError('AUTH_FAILED', 'the account has no credentials for a password login');
  step(ctx, 40, 'submit_credentials', 'submitting the password form');
  await page.fill(S.username, ctx.credentials.username);
  await page.fill(S.password, ctx.credentials.password);
  await page.click(S.submit);
  step(ctx, 70, 'verify_session', 'checking that the site signed us in');
  // Either answer may be slow: wait for whichever comes, then tell them apart.
  await page.locator(`${S.whoami}, ${S.errorAlert}, ${S.secondFactorForm}`).first().waitFor({ timeout: 15_000 });
  if (await page.locator(S.secondFactorForm).isVisible()) {
    await ctx.askHuman({ reason: `enter the sign-in code from the phone of ${ctx.credentials.username}`, timeoutMs: humanTimeoutMs });
    step(ctx, 80, 'verify_session', 'checking that the code signed us in');
    await page.locator(`${S.whoami}, ${S.errorAlert}`).first().waitFor({ timeout: 15_000 });
  }
  const handle = await signedInHandle(page);
  if (handle) return handle;
  const alert = await pageAlert(page);
  await ctx.emit('login_status', { status: 'failed', message: alert ?? 'the site refused the credentials' });
  throw new FleetError('AUTH_FAILED', `the sandbox refused the credentials of ${ctx.credentials.username}${alert ? `: ${alert}` : ''}`);
}
