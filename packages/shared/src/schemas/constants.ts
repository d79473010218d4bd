/**
 * The contract's closed lists and fixed values, without zod: the browser entry
 * (`@fleetwright/shared/constants`) ships these, so a page that only needs names stays small.
 */
export const STEP_STATUSES = ['not_started', 'running', 'success', 'failed'] as const;
export const ACCOUNT_STEPS = ['login', 'invite', 'team_join'] as const;
export type AccountStep = (typeof ACCOUNT_STEPS)[number];
export const MASKED_SECRET = '********';
export const JOB_STATUSES = ['queued', 'dispatched', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export const WORKER_STATUSES = ['online', 'draining', 'offline'] as const;
export const BROWSER_STATES = ['stopped', 'starting', 'running', 'error'] as const;
/** `reset` force-closes a stuck context (its running job fails retryable with BROWSER_RESET) and reopens it under a new fence. */
export const BROWSER_ACTIONS = ['start', 'stop', 'reset'] as const;
/**
 * Where an operator's limit applies: one account, the accounts of a pool (tag) together, or every
 * account of a platform across the fleet. Each is per job type.
 */
export const LIMIT_SCOPES = ['account', 'pool', 'platform'] as const;
export type LimitScope = (typeof LIMIT_SCOPES)[number];
