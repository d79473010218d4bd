import { z } from 'zod';
import { defineJob, type JobContext } from '../plugin.js';
import { step } from './job-step.js';
import { passwordLogin } from './password-login.js';
import { qrLogin } from './qr-login.js';
import { SandboxUrls } from './sandbox-site.js';
import { signedInHandle } from './signed-in-page.js';

export const LoginPayloadSchema = z.strictObject({
  /** `password` signs in with the account's credentials; `qr` shows a QR code someone approves on a phone. */
  method: z.enum(['password', 'qr']).default('password'),
  /**
   * QR only: how long to wait for the code to be approved, in ms. Keep it below the job's deadline,
   * or the deadline (a retryable TIMEOUT) ends the wait first.
   */
  qrTimeoutMs: z.int().min(1000).max(600_000).default(120_000),
  /**
   * Password only: how long to wait for a person to enter a second-factor code, in ms. Keep it
   * below the job's deadline (5 min unless the job names one).
   */
  humanTimeoutMs: z.int().min(1000).max(3_600_000).default(240_000),
});
export type LoginPayload = z.output<typeof LoginPayloadSchema>;

export interface LoginResult {
  loggedIn: true;
  /** True when the session was still valid and nothing was submitted. */
  skipped: boolean;
  handle: string;
  method: LoginPayload['method'];
}

export function loginJob(baseUrl: string) {
  return defineJob({
    schema: LoginPayloadSchema,
    accountStep: 'login',
    async run(ctx, payload): Promise<LoginResult> {
      const page = await ctx.page();
      const start = payload.method === 'qr' ? SandboxUrls.qrLogin : SandboxUrls.login;
      step(ctx, 10, 'open_login', `opening ${start}`);
      await page.goto(new URL(start, baseUrl).href);
      // A still-valid session is sent on from the login pages: nothing to do.
      const current = await signedInHandle(page);
      if (current) return skip(ctx, current, payload.method);
      const handle = payload.method === 'qr' ? await qrLogin(ctx, page, payload.qrTimeoutMs) : await passwordLogin(ctx, page, payload.humanTimeoutMs);
      step(ctx, 90, 'save_state', `signed in as @${handle}; saving the session`);
      await ctx.saveState();
      await ctx.emit('login_status', { status: 'success' });
      ctx.progress(100, 'logged_in');
      return { loggedIn: true, skipped: false, handle, method: payload.method };
    },
  });
}

async function skip(ctx: JobContext, handle: string, method: LoginPayload['method']): Promise<LoginResult> {
  step(ctx, 100, 'already_logged_in', `session still valid as @${handle}; login skipped`);
  await ctx.emit('login_status', { status: 'success', message: 'the session was still valid' });
  return { loggedIn: true, skipped: true, handle, method };
}
