import { z } from 'zod';
import { IdSchema } from '../schemas/common.js';
import { CreateJobBodySchema, JobProgressSchema, JobStatusSchema } from '../schemas/job.js';
import { JobViewSchema, type JobView } from '../schemas/job.js';
import { WorkerViewSchema } from '../schemas/worker.js';
import { AccountBrowserViewSchema } from '../schemas/browser.js';
import { DetectedMessageSchema } from './worker-payloads.js';

export const ClientHandshakeSchema = z.object({ token: z.string().min(1) });

export const LoginStartSchema = z.object({
  accountId: IdSchema,
  method: z.enum(['password', 'qr']).default('password'),
});
export type LoginStart = z.input<typeof LoginStartSchema>;

export const ReplyExecuteSchema = z.object({
  accountId: IdSchema,
  kind: z.enum(['comment', 'dm']),
  /** The platform id of the comment or conversation to answer. */
  targetId: z.string().min(1).max(256),
  text: z.string().min(1).max(10_000),
  idempotencyKey: z.string().min(1).max(256).optional(),
});
export type ReplyExecute = z.input<typeof ReplyExecuteSchema>;

export const JobCreateSchema = CreateJobBodySchema;
export type JobCreate = z.input<typeof JobCreateSchema>;
export const JobCancelRequestSchema = z.object({ jobId: IdSchema });
export type JobCancelRequest = z.infer<typeof JobCancelRequestSchema>;

export const JobProgressEventSchema = z.object({ jobId: IdSchema, accountId: IdSchema.nullable(), status: JobStatusSchema, progress: JobProgressSchema });
export type JobProgressEvent = z.infer<typeof JobProgressEventSchema>;

export const LoginQrCodeEventSchema = z.object({ jobId: IdSchema, accountId: IdSchema, dataUrl: z.string() });
export type LoginQrCodeEvent = z.infer<typeof LoginQrCodeEventSchema>;
export const LoginStatusEventSchema = z.object({ jobId: IdSchema, accountId: IdSchema, status: z.string(), message: z.string().optional() });
export type LoginStatusEvent = z.infer<typeof LoginStatusEventSchema>;
export const MessageDetectedEventSchema = z.object({ accountId: IdSchema, message: DetectedMessageSchema });
export type MessageDetectedEvent = z.infer<typeof MessageDetectedEventSchema>;
export const ReplyResultEventSchema = z.object({ jobId: IdSchema, accountId: IdSchema, replyId: z.string(), alreadyPosted: z.boolean() });
export type ReplyResultEvent = z.infer<typeof ReplyResultEventSchema>;
export const JobDoneEventSchema = JobViewSchema;
export type JobDoneEvent = JobView;
/** New lines of a running job's run.log (each `<ISO time> <text>`, secrets redacted). */
export const JobLogEventSchema = z.object({ jobId: IdSchema, accountId: IdSchema, lines: z.array(z.string()) });
export type JobLogEvent = z.infer<typeof JobLogEventSchema>;
/** An account's browser changed state (started, stopped, failed) or lock holder. */
export const AccountBrowserEventSchema = z.object({ accountId: IdSchema, browser: AccountBrowserViewSchema });
export type AccountBrowserEvent = z.infer<typeof AccountBrowserEventSchema>;
export const WorkerStatusEventSchema = WorkerViewSchema.pick({ id: true, status: true, lastHeartbeatAt: true, stats: true });
export type WorkerStatusEvent = z.infer<typeof WorkerStatusEventSchema>;
