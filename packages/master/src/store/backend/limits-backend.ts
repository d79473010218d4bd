import type { LimitScope, PutLimitBody, RateLimitRule, RateLimitScope } from '@fleetwright/shared';

/** An operator's limit as the store holds it. Times in ms since the epoch. */
export interface LimitRecord {
  /** `<scope>:<target>:<jobType>` (see `limitId`). */
  id: string;
  scope: LimitScope;
  target: string;
  jobType: string;
  rule: RateLimitRule;
  createdAt: number;
  updatedAt: number;
}

/** A scope the platform throttled: its jobs wait until `until`. */
export interface PauseRecord {
  scope: RateLimitScope;
  /** The account's id (scope `account`) or the platform (`platform`). */
  target: string;
  until: number;
  reason: string | null;
}

/** A job that ran on an account: what the windows of limits count. */
export interface JobRunRecord {
  jobId: string;
  accountId: string;
  platform: string;
  type: string;
  /** When it ended (finished, or went back to the queue), or, for a job still running, when it was dispatched. */
  at: number;
}

/**
 * Operators' limits and the platform's pauses, kept durably; and the reads that rebuild the
 * limits' windows when a master starts (the jobs' own run times and statuses).
 */
export interface LimitsBackend {
  /** Every operator limit, in id order. */
  list(): Promise<LimitRecord[]>;
  /** Sets the limit of the body's scope, target and job type (a new one, or a new rule for it). */
  put(body: PutLimitBody): Promise<LimitRecord>;
  /** Removes the limit; returns whether there was one. */
  delete(id: string): Promise<boolean>;
  /** The pauses that have not ended at `now`. */
  pauses(now: number): Promise<PauseRecord[]>;
  /** Pauses the scope until `until`, or keeps its pause if that already ends later. Returns the pause in force. */
  pause(scope: RateLimitScope, target: string, until: number, reason: string | null): Promise<PauseRecord>;
  /**
   * Jobs that ran on an account and ended at or after `since`, by when they ended, oldest first: a
   * finished job at its finish; a job queued again after a run (its end is not kept) at its last
   * dispatch, the latest it is known to have run.
   */
  endedSince(since: number): Promise<JobRunRecord[]>;
  /** Jobs dispatched or running now, with their dispatch time. */
  active(): Promise<JobRunRecord[]>;
}
