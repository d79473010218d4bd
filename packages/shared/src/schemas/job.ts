import { z } from 'zod';
import { JOB_STATUSES } from './constants.js';
import { JOB_ERROR_CLASSES } from '../errors/error-codes.js';
import { IdSchema, PlatformSchema, TagSchema } from './common.js';
import { ErrorBodySchema } from './common.js';
import { PAYLOAD_BOUNDS, boundedJsonRecord } from './bounded-json.js';
import { JobHeldBySchema } from './rate-limit.js';

/** A job's payload as it arrives (REST, `/client`, a monitor, a flow): JSON, bounded in depth and size. */
export const JobPayloadSchema = boundedJsonRecord(PAYLOAD_BOUNDS);

/** Bounds of a job's deadline (a job's `timeoutMs`, or its plugin's). */
export const MIN_JOB_TIMEOUT_MS = 1000;
export const MAX_JOB_TIMEOUT_MS = 24 * 3600 * 1000;
export const JobTimeoutSchema = z.number().int().min(MIN_JOB_TIMEOUT_MS).max(MAX_JOB_TIMEOUT_MS);

export const JobStatusSchema = z.enum(JOB_STATUSES);
export type JobStatus = z.infer<typeof JobStatusSchema>;
export const FINISHED_JOB_STATUSES: readonly JobStatus[] = ['succeeded', 'failed', 'cancelled'];

export const JobTypeSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9_]+$/, 'must be lowercase letters, digits or _');

export const JobProgressSchema = z.object({
  percent: z.number().min(0).max(100),
  step: z.string().max(128),
  message: z.string().max(1024).nullable(),
});
export type JobProgress = z.infer<typeof JobProgressSchema>;

export const CreateJobBodySchema = z
  .strictObject({
    type: JobTypeSchema,
    accountId: IdSchema.optional(),
    pool: TagSchema.optional(),
    payload: JobPayloadSchema.optional(),
    priority: z.number().int().min(-1000).max(1000).optional(),
    maxAttempts: z.number().int().min(1).max(100).optional(),
    idempotencyKey: z.string().min(1).max(256).optional(),
    runAfter: z.iso.datetime({ offset: true }).optional(),
    parentId: IdSchema.optional(),
    timeoutMs: JobTimeoutSchema.optional(),
  })
  .superRefine((body, ctx) => {
    if (!body.accountId && !body.pool) ctx.addIssue({ code: 'custom', path: ['accountId'], message: 'either accountId or pool is required' });
    if (body.accountId && body.pool) ctx.addIssue({ code: 'custom', path: ['pool'], message: 'give accountId or pool, not both' });
  });
export type CreateJobBody = z.infer<typeof CreateJobBodySchema>;

/** Many independent jobs in one request (all or nothing): for submitting at volume. */
export const CreateJobsBulkBodySchema = z.strictObject({ jobs: z.array(CreateJobBodySchema).min(1).max(1000) });
export type CreateJobsBulkBody = z.infer<typeof CreateJobsBulkBodySchema>;

/** A batch: a parent job whose children are ordinary jobs; its progress is theirs. */
export const CreateBatchBodySchema = z.strictObject({
  // Each child is an ordinary job body; its parentId is set by the master.
  children: z.array(CreateJobBodySchema).min(1).max(1000),
  /** Cancel the unfinished siblings when a child fails for good. @defaultValue false */
  stopOnFailure: z.boolean().optional(),
  idempotencyKey: z.string().min(1).max(256).optional(),
  priority: z.number().int().min(-1000).max(1000).optional(),
});
export type CreateBatchBody = z.infer<typeof CreateBatchBodySchema>;

/** Invite-then-accept across accounts: `invite` on the owner, then `accept_invite` on each member. */
export const CreateInviteFlowBodySchema = z.strictObject({
  ownerAccountId: IdSchema,
  members: z
    .array(z.strictObject({ accountId: IdSchema, email: z.email() }))
    .min(1)
    .max(500),
  /** Extra payload for the owner's `invite` job (the emails are added). */
  invitePayload: JobPayloadSchema.optional(),
  idempotencyKey: z.string().min(1).max(256).optional(),
});
export type CreateInviteFlowBody = z.infer<typeof CreateInviteFlowBodySchema>;

export const CreateMonitorBodySchema = z
  .strictObject({
    accountId: IdSchema,
    /** @defaultValue `crawl` */
    type: JobTypeSchema.optional(),
    payload: JobPayloadSchema.optional(),
    /** @defaultValue 15000 */
    minIntervalMs: z
      .number()
      .int()
      .min(1000)
      .max(24 * 3600 * 1000)
      .optional(),
    /** @defaultValue 30000 */
    maxIntervalMs: z
      .number()
      .int()
      .min(1000)
      .max(24 * 3600 * 1000)
      .optional(),
  })
  .refine((m) => (m.minIntervalMs ?? 15_000) <= (m.maxIntervalMs ?? 30_000), { path: ['maxIntervalMs'], message: 'must be at least minIntervalMs' });
export type CreateMonitorBody = z.infer<typeof CreateMonitorBodySchema>;

export const MonitorViewSchema = z.object({
  id: IdSchema,
  accountId: IdSchema,
  type: JobTypeSchema,
  payload: z.record(z.string(), z.unknown()),
  minIntervalMs: z.number().int(),
  maxIntervalMs: z.number().int(),
  paused: z.boolean(),
  nextRunAt: z.string(),
  lastJobId: IdSchema.nullable(),
  runs: z.number().int(),
  createdAt: z.string(),
});
export type MonitorView = z.infer<typeof MonitorViewSchema>;

export const JobListQuerySchema = z.object({
  status: JobStatusSchema.optional(),
  type: JobTypeSchema.optional(),
  accountId: IdSchema.optional(),
});

export const ArtifactRefSchema = z.object({ name: z.string(), size: z.number().int(), url: z.string() });

/** One entry of a job's timeline (`GET /jobs/:id/events`). */
export const JobEventViewSchema = z.object({ at: z.string(), kind: z.string(), data: z.record(z.string(), z.unknown()) });
export type JobEventView = z.infer<typeof JobEventViewSchema>;

/** A job's failure as views show it: the error body plus its class (`auth`, `network`, …). */
export const JobErrorSchema = ErrorBodySchema.extend({ errorClass: z.enum(JOB_ERROR_CLASSES) });
export type JobError = z.infer<typeof JobErrorSchema>;

export const JobViewSchema = z.object({
  id: IdSchema,
  type: JobTypeSchema,
  platform: PlatformSchema.nullable(),
  accountId: IdSchema.nullable(),
  pool: TagSchema.nullable(),
  payload: z.record(z.string(), z.unknown()),
  priority: z.number().int(),
  status: JobStatusSchema,
  attempt: z.number().int(),
  maxAttempts: z.number().int(),
  progress: JobProgressSchema,
  result: z.unknown().nullable(),
  error: JobErrorSchema.nullable(),
  workerId: z.string().nullable(),
  epoch: z.number().int().nullable(),
  parentId: IdSchema.nullable(),
  monitorId: IdSchema.nullable(),
  /** Children of a batch or flow, when this job is one (ids in creation order). */
  childIds: z.array(IdSchema).optional(),
  idempotencyKey: z.string().nullable(),
  artifacts: z.array(ArtifactRefSchema),
  runAfter: z.string(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  /** A queued job a limit or a pause holds: which, and when it is next eligible (`GET /jobs/:id`). */
  heldBy: JobHeldBySchema.optional(),
});
export type JobView = z.infer<typeof JobViewSchema>;

/** A job's run.log lines so far (`GET /jobs/:id/log`), streamed by its worker; kept until run.log is uploaded. */
export const JobLogViewSchema = z.object({ jobId: IdSchema, lines: z.array(z.string()) });
export type JobLogView = z.infer<typeof JobLogViewSchema>;
