import net from 'node:net';
import type { Page } from 'playwright-core';
import { z } from 'zod';
import { defineJob, type PlatformPlugin } from '@fleetwright/worker';
import { sleep, waitFor } from './wait-for.js';

/** What the test plugin's handlers saw, for the tests to check. */
export class HandlerProbe {
  readonly startedAt = new Map<string, number>();
  readonly endedAt = new Map<string, number>();
  readonly pages = new Map<string, Page>();

  /** Resolves once the job's handler holds its page. */
  pageOf(jobId: string): Promise<Page> {
    return waitFor(`job ${jobId} to open its page`, () => this.pages.get(jobId), 20_000);
  }
}

/** A small plugin whose jobs wait, fail or talk in the ways the runner must handle. */
export function testkitPlugin(probe: HandlerProbe): PlatformPlugin {
  return {
    platform: 'testkit',
    jobs: {
      /** Returns a result nested `depth` levels deep (a careless plugin's). */
      deep_result: defineJob({
        schema: z.strictObject({ depth: z.number().int().min(1).max(100_000) }),
        run: async (_ctx, payload) => {
          let value: unknown = 'bottom';
          for (let i = 0; i < payload.depth; i += 1) value = { next: value };
          return { value };
        },
      }),
      strict: defineJob({ schema: z.strictObject({ method: z.enum(['password']) }), run: async () => ({ ok: true }) }),
      hold: defineJob({
        schema: z.strictObject({ ms: z.number().int().min(0), withPage: z.boolean().default(false) }),
        async run(ctx, payload) {
          probe.startedAt.set(ctx.jobId, Date.now());
          if (payload.withPage) probe.pages.set(ctx.jobId, await ctx.page());
          await sleep(payload.ms, ctx.signal);
          probe.endedAt.set(ctx.jobId, Date.now());
          return { held: payload.ms };
        },
      }),
      wait_for_missing: defineJob({
        schema: z.strictObject({ timeoutMs: z.number().int().optional() }),
        async run(ctx, payload) {
          const page = await ctx.page();
          await page.setContent('<main>nothing to see</main>');
          probe.pages.set(ctx.jobId, page);
          await page.waitForSelector('#never', payload.timeoutMs === undefined ? {} : { timeout: payload.timeoutMs });
        },
      }),
      click_missing: defineJob({
        schema: z.strictObject({ by: z.enum(['css', 'role']) }),
        async run(ctx, payload) {
          const page = await ctx.page();
          await page.setContent('<main><p>no buttons here</p></main>');
          const target = payload.by === 'css' ? page.locator('#send') : page.getByRole('button', { name: 'Send' });
          await target.click({ timeout: 500 });
        },
      }),
      two_pages_click_missing: defineJob({
        schema: z.strictObject({}),
        async run(ctx) {
          const [first, second] = await Promise.all([ctx.page(), ctx.page()]);
          await first.setContent('<main><p>first</p></main>');
          await second.setContent('<main><p>no buttons here</p></main>');
          await second.locator('#send').click({ timeout: 500 });
        },
      }),
      hang: defineJob({
        schema: z.strictObject({}),
        async run(ctx) {
          const page = await ctx.page();
          probe.pages.set(ctx.jobId, page);
          // Stuck inside the page: only a reset (or the deadline) gets the account back.
          await page.evaluate(() => new Promise(() => undefined));
        },
      }),
      visit: defineJob({
        schema: z.strictObject({ url: z.string() }),
        async run(ctx, payload) {
          const page = await ctx.page();
          await page.goto(payload.url);
        },
      }),
      /** Meets the platform's throttle: passes `throttle` to ctx.rateLimited as given (a buggy plugin's too), after opening a page. */
      throttled: defineJob({
        schema: z.strictObject({ throttle: z.record(z.string(), z.unknown()), quotePassword: z.boolean().default(false), swallow: z.boolean().default(false) }),
        async run(ctx, payload) {
          const page = await ctx.page();
          await page.setContent('<main><h1>429 Too Many Requests</h1></main>');
          ctx.progress(40, 'post_reply');
          const message = payload.quotePassword ? `slow down, ${ctx.credentials?.password}` : payload.throttle.message;
          try {
            ctx.rateLimited({ ...payload.throttle, ...(message === undefined ? {} : { message }) } as Parameters<typeof ctx.rateLimited>[0]);
          } catch (error) {
            // A plugin that swallows the throttle: the job ends as its handler does.
            if (!payload.swallow) throw error;
          }
          return { swallowed: true };
        },
      }),
      chatty: defineJob({
        schema: z.strictObject({ steps: z.array(z.tuple([z.number(), z.string()])), quotePassword: z.boolean().default(false) }),
        async run(ctx, payload) {
          for (const [percent, step] of payload.steps) {
            ctx.log(`working on ${step}`);
            ctx.progress(percent, step);
          }
          if (payload.quotePassword) {
            ctx.log(`filled the form with ${ctx.credentials?.username} / ${ctx.credentials?.password}`);
            throw new Error(`the platform rejected password ${ctx.credentials?.password}`);
          }
          return { steps: payload.steps.length };
        },
      }),
    },
  };
}

/** A loopback port nobody listens on. */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
