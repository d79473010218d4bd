import { z } from 'zod';
import { FleetError } from '@fleetwright/shared';
import { defineJob } from '../plugin.js';
import { SandboxSelectors as S, SandboxUrls } from './sandbox-site.js';

export const LoginPayloadSchema = z.strictObject({ method: z.enum(['password']).default('password') });

export function loginJob(baseUrl: string) {
  return defineJob({
    schema: LoginPayloadSchema,
    async run(ctx) {
      const page = await ctx.page();
      ctx.progress(10, 'open_login');
      await page.goto(new URL(SandboxUrls.login, baseUrl).href);
      // A still-valid session redirects away from the login page: nothing to do.
      if (await page.locator(S.whoami).count()) {
        const handle = (await page.locator(S.whoami).innerText()).replace(/^@/, '');
        ctx.log(`session still valid as @${handle}; login skipped`);
        ctx.progress(100, 'already_logged_in');
        return { loggedIn: true, skipped: true, handle };
      }
      if (!ctx.credentials) throw new FleetError('AUTH_FAILED', 'the account has no credentials for a password login');
      ctx.progress(40, 'submit_credentials');
      ctx.log('submitting the password form');
      await page.fill(S.username, ctx.credentials.username);
      await page.fill(S.password, ctx.credentials.password);
      await Promise.all([page.waitForLoadState('load'), page.click(S.submit)]);
      ctx.progress(70, 'verify_session');
      if (await page.locator(S.loginError).count()) throw new FleetError('AUTH_FAILED', `the sandbox refused the credentials of ${ctx.credentials.username}`);
      const handle = (await page.locator(S.whoami).innerText({ timeout: 10_000 })).replace(/^@/, '');
      ctx.log(`signed in as @${handle}`);
      ctx.progress(90, 'save_state');
      await ctx.saveState();
      ctx.progress(100, 'logged_in');
      return { loggedIn: true, skipped: false, handle };
    },
  });
}
