/**
 * Where a platform's throttle applies (`ctx.rateLimited({ scope })`): the one account, or every
 * account of the platform across the fleet.
 */
export const RATE_LIMIT_SCOPES = ['account', 'platform'] as const;
export type RateLimitScope = (typeof RATE_LIMIT_SCOPES)[number];

/** The longest pause a plugin may ask for (a day): a longer `Retry-After` is a platform's ban, not a throttle. */
export const RATE_LIMIT_PAUSE_MAX_MS = 86_400_000;
