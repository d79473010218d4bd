import { z } from 'zod';
import { LIMIT_SCOPES } from './constants.js';

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

/** A limit as an operator sets it (`PUT /limits`): one per scope, target and job type; setting it again replaces its rule. */
export const PutLimitBodySchema = z.strictObject({
  scope: z.enum(LIMIT_SCOPES),
  /** The account's id (scope `account`), the pool's tag (`pool`) or the platform (`platform`). */
  target: z
    .string()
    .min(1)
    .max(128)
    .regex(/^[A-Za-z0-9_.:-]+$/, 'must be letters, digits, _ . : or -'),
  jobType: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[a-z0-9_]+$/, 'must be lowercase letters, digits or _'),
  rule: RateLimitRuleSchema,
});
export type PutLimitBody = z.infer<typeof PutLimitBodySchema>;

/** A limit as the API shows it. */
export const LimitViewSchema = PutLimitBodySchema.extend({
  /** `<scope>:<target>:<jobType>`: a limit's name in job views, metrics and `DELETE /limits/:id`. */
  id: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type LimitView = z.infer<typeof LimitViewSchema>;

/** A scope the platform throttled (`ctx.rateLimited`): its jobs wait until `until`. */
export const LimitPauseViewSchema = z.object({ scope: z.enum(RATE_LIMIT_SCOPES), target: z.string(), until: z.string(), reason: z.string().nullable() });
export type LimitPauseView = z.infer<typeof LimitPauseViewSchema>;

/** `GET /limits`: the operators' limits, the plugins' declared defaults in force, and the pauses. */
export const LimitListViewSchema = z.object({
  items: z.array(LimitViewSchema),
  /** Plugins' defaults (from the workers' capabilities), by platform and job type, as `<scope>:<platform>:<jobType>` ids. */
  defaults: z.array(z.object({ id: z.string(), scope: z.enum(RATE_LIMIT_SCOPES), platform: z.string(), jobType: z.string(), rule: RateLimitRuleSchema })),
  pauses: z.array(LimitPauseViewSchema),
});
export type LimitListView = z.infer<typeof LimitListViewSchema>;

/**
 * On a queued job's view: the limit (or pause) that holds it, and when it is next eligible; `until`
 * is null when a concurrency cap holds it (it goes when a job under the cap ends).
 */
export const JobHeldBySchema = z.object({ limit: z.string(), until: z.string().nullable() });
export type JobHeldBy = z.infer<typeof JobHeldBySchema>;

/** A limit's id: `<scope>:<target>:<jobType>` (a pause's is `pause:<scope>:<target>`). */
export function limitId(scope: string, target: string, jobType: string): string {
  return `${scope}:${target}:${jobType}`;
}
