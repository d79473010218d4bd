import { FleetError, type RateLimited } from '@fleetwright/shared';

/**
 * What `ctx.rateLimited` throws to end the job's run: the runner reports the attempt as
 * `rate_limited` rather than failed. A plugin that catches errors around a call to
 * `ctx.rateLimited` must rethrow this one (`error instanceof RateLimitedError`), or the throttle
 * is lost and the job ends as the handler does.
 */
export class RateLimitedError extends FleetError {
  constructor(readonly throttle: RateLimited) {
    super(
      'RATE_LIMITED',
      throttle.message ?? `the platform throttled ${throttle.scope === 'account' ? 'the account' : 'all its accounts'} for ${throttle.retryAfterMs} ms`,
    );
    this.name = 'RateLimitedError';
  }
}
