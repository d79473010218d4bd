import { z } from 'zod';
import { defineJob, type PlatformPlugin } from '@fleetwright/worker';

/** What the leaky job read of the account's secrets, for the test to look for. */
export interface LeakedSecrets {
  password: string;
  sessionCookie: string;
  localStorageToken: string | null;
}

/**
 * A careless plugin for the real sandbox: it signs in through the login form (so the trace records
 * the password being typed, the form post and the session cookie), then quotes every secret it can
 * see in its log, progress, an event, and its error or result.
 */
export function leakyPlugin(baseUrl: string, extra: { proxyPassword: string; seededCookie: string }, seen: Map<string, LeakedSecrets>): PlatformPlugin {
  return {
    platform: 'sandbox',
    jobs: {
      leaky_login: defineJob({
        schema: z.strictObject({ fail: z.boolean().default(true) }),
        async run(ctx, payload) {
          const page = await ctx.page();
          // A fresh session each attempt, so every attempt types the password.
          await page.context().clearCookies({ name: 'sandbox_sid' });
          ctx.progress(10, 'open_login');
          await page.goto(`${baseUrl}/login`);
          await page.fill('#login-form input[name="username"]', ctx.credentials!.username);
          await page.fill('#login-form input[name="password"]', ctx.credentials!.password);
          await Promise.all([page.waitForURL(`${baseUrl}/home`, { timeout: 10_000 }), page.click('#login-submit')]);
          await page.goto(`${baseUrl}/home`);
          const sessionCookie = (await page.context().cookies()).find((c) => c.name === 'sandbox_sid')?.value;
          if (!sessionCookie) throw new Error('the sandbox set no session cookie');
          const localStorageToken = await page.evaluate(() => window.localStorage.getItem('api_token'));
          const secrets = { password: ctx.credentials!.password, sessionCookie, localStorageToken };
          seen.set(`${ctx.jobId}#${ctx.attempt}`, secrets);
          const quoted = `password ${secrets.password} proxy ${extra.proxyPassword} session ${sessionCookie} token ${localStorageToken} prefs ${extra.seededCookie}`;
          ctx.log(`signed in: ${quoted}`);
          ctx.progress(60, 'signed_in', quoted);
          await ctx.emit('login_status', { status: payload.fail ? 'failed' : 'success', message: quoted });
          if (payload.fail) throw new Error(`login broke after sign-in: ${quoted}`);
          return { quoted, nested: { list: [{ deep: { text: quoted } }, secrets.password], [sessionCookie]: 'keyed by the cookie' } };
        },
      }),
    },
  };
}
