import { z } from 'zod';
import { IdSchema, PlatformSchema, TagSchema } from './common.js';
import { ErrorBodySchema } from './common.js';

export const JOB_STATUSES = ['queued', 'dispatched', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export const JobStatusSchema = z.enum(JOB_STATUSES);
export type JobStatus = z.infer<typeof JobStatusSchema>;
export const FINISHED_JOB_STATUSES: readonly JobStatus[] = ['succeeded', 'failed', 'cancelled'];

export const JobTypeSchema = z.string().min(1).max(64).regex(/^[a-z0-9_]+$/, 'must be lowercase letters, digits or _');

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
    payload: z.record(z.string(), z.unknown()).optional(),
    priority: z.number().int().min(-1000).max(1000).optional(),
    maxAttempts: z.number().int().min(1).max(100).optional(),
    idempotencyKey: z.string().min(1).max(256).optional(),
    runAfter: z.iso.datetime({ offset: true }).optional(),
    parentId: IdSchema.optional(),
    timeoutMs: z.number().int().min(1000).max(24 * 3600 * 1000).optional(),
  })
  .superRefine((body, ctx) => {
    if (!body.accountId && !body.pool) ctx.addIssue({ code: 'custom', path: ['accountId'], message: 'either accountId or pool is required' });
    if (body.accountId && body.pool) ctx.addIssue({ code: 'custom', path: ['pool'], message: 'give accountId or pool, not both' });
  });
export type CreateJobBody = z.infer<typeof CreateJobBodySchema>;

export const JobListQuerySchema = z.object({
  status: JobStatusSchema.optional(),
  type: JobTypeSchema.optional(),
  accountId: IdSchema.optional(),
});

export const ArtifactRefSchema = z.object({ name: z.string(), size: z.number().int(), url: z.string() });

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
  error: ErrorBodySchema.nullable(),
  workerId: z.string().nullable(),
  epoch: z.number().int().nullable(),
  parentId: IdSchema.nullable(),
  idempotencyKey: z.string().nullable(),
  artifacts: z.array(ArtifactRefSchema),
  runAfter: z.string(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});
export type JobView = z.infer<typeof JobViewSchema>;
