import { z } from 'zod';

/**
 * Where a platform's throttle applies (`ctx.rateLimited({ scope })`): the one account, or every
 * account of the platform across the fleet.
 */
export const RATE_LIMIT_SCOPES = ['account', 'platform'] as const;
export type RateLimitScope = (typeof RATE_LIMIT_SCOPES)[number];

/** The longest pause a plugin may ask for (a day): a longer `Retry-After` is a platform's ban, not a throttle. */
export const RATE_LIMIT_PAUSE_MAX_MS = 86_400_000;

/** The longest window a rate may be counted over (a week). */
export const RATE_LIMIT_WINDOW_MAX_MS = 7 * 86_400_000;

/**
 * One limit: a rate (at most `max` job starts per `windowMs`), a concurrency cap (at most
 * `concurrency` running at once), or both. A rate needs both of its fields.
 */
export const RateLimitRuleSchema = z
  .object({
    max: z.number().int().min(1).max(1_000_000).optional(),
    windowMs: z.number().int().min(1).max(RATE_LIMIT_WINDOW_MAX_MS).optional(),
    concurrency: z.number().int().min(1).max(100_000).optional(),
  })
  .strict()
  .superRefine((rule, ctx) => {
    if (rule.max !== undefined && rule.windowMs === undefined) ctx.addIssue({ code: 'custom', path: ['windowMs'], message: 'a rate needs windowMs with max' });
    if (rule.windowMs !== undefined && rule.max === undefined) ctx.addIssue({ code: 'custom', path: ['max'], message: 'a rate needs max with windowMs' });
    if (rule.max === undefined && rule.windowMs === undefined && rule.concurrency === undefined)
      ctx.addIssue({ code: 'custom', path: ['max'], message: 'a limit needs a rate (max and windowMs) or a concurrency' });
  });
export type RateLimitRule = z.infer<typeof RateLimitRuleSchema>;

/**
 * A plugin's declared defaults for one job type: per account, and across the fleet for the whole
 * platform. Operators may tighten or loosen them.
 */
export const PluginLimitDefaultsSchema = z.object({ account: RateLimitRuleSchema.optional(), platform: RateLimitRuleSchema.optional() }).strict();
export type PluginLimitDefaults = z.infer<typeof PluginLimitDefaultsSchema>;
