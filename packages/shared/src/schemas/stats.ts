import { z } from 'zod';
import { JOB_STATUSES } from './constants.js';

/** Jobs that finished in one minute, by outcome (`GET /api/v1/stats/jobs-per-minute`). */
export const JobsPerMinuteBucketSchema = z.object({
  /** Start of the minute (ISO). */
  at: z.string(),
  succeeded: z.number().int(),
  failed: z.number().int(),
  cancelled: z.number().int(),
});
export type JobsPerMinuteBucket = z.infer<typeof JobsPerMinuteBucketSchema>;

export const JobsPerMinuteViewSchema = z.object({
  /** Oldest minute first, the current (partial) minute last. */
  minutes: z.array(JobsPerMinuteBucketSchema),
  /** Every job by status, now. */
  totals: z.record(z.enum(JOB_STATUSES), z.number().int()),
});
export type JobsPerMinuteView = z.infer<typeof JobsPerMinuteViewSchema>;
