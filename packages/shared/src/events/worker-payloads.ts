import { z } from 'zod';
import { IdSchema, PlatformSchema, ReportedErrorSchema } from '../schemas/common.js';
import { RESULT_BOUNDS, boundedJson } from '../schemas/bounded-json.js';
import { CredentialsSchema, DeviceProfileSchema, StorageStateSchema } from '../schemas/account.js';
import { CapabilitySchema, WorkerStatsSchema } from '../schemas/worker.js';
import { AccountBrowserReportSchema, BrowserActionSchema } from '../schemas/browser.js';
import { JobTypeSchema } from '../schemas/job.js';
import { RATE_LIMIT_PAUSE_MAX_MS, RATE_LIMIT_SCOPES } from '../schemas/rate-limit.js';

/** Handshake `auth` of the `/worker` namespace. */
export const WorkerHandshakeSchema = z.object({ workerId: IdSchema, token: z.string().min(1) });
export type WorkerHandshake = z.infer<typeof WorkerHandshakeSchema>;

/**
 * A job the worker is running when it (re)registers, so the master can reconcile. `attempt` is
 * optional for workers that predate it; when given, only that attempt is kept.
 */
export const RunningJobRefSchema = z.object({
  jobId: IdSchema,
  accountId: IdSchema,
  epoch: z.number().int().min(0),
  attempt: z.number().int().min(1).optional(),
});
export type RunningJobRef = z.infer<typeof RunningJobRefSchema>;

export const WorkerRegisterSchema = z.object({
  host: z.string().min(1).max(256),
  version: z.string().min(1).max(64),
  capabilities: z.array(CapabilitySchema).max(64),
  maxAccounts: z.number().int().min(1).max(10_000),
  maxConcurrency: z.number().int().min(1).max(1_000),
  maxLiveContexts: z.number().int().min(1).max(10_000),
  /** The Chromium version the worker launches (device profiles name a matching user agent). */
  browserVersion: z
    .string()
    .regex(/^\d+(\.\d+){0,3}$/)
    .optional(),
  runningJobs: z.array(RunningJobRefSchema).max(10_000).default([]),
  /** Accounts the worker still holds from before (a reconnect): the master revokes any that moved. */
  heldAccounts: z
    .array(z.object({ accountId: IdSchema, epoch: z.number().int().min(0) }))
    .max(10_000)
    .default([]),
  /** The worker was draining (or shutting down) before this reconnect: it stays draining. */
  draining: z.boolean().default(false),
});
export type WorkerRegister = z.input<typeof WorkerRegisterSchema>;
export const RegisterResultSchema = z.object({
  heartbeatIntervalMs: z.number().int(),
  /** Every account the worker owns after this registration: profiles of any other can go at once. */
  ownedAccountIds: z.array(IdSchema).max(100_000).optional(),
});
export type RegisterResult = z.infer<typeof RegisterResultSchema>;

/**
 * One account's browser in a heartbeat. `epoch` (the assignment it is held under) is optional for
 * workers that predate it; the master applies an entry only for an account the worker owns, and
 * only at the current epoch when one is given.
 */
export const HeartbeatBrowserReportSchema = AccountBrowserReportSchema.extend({ epoch: z.number().int().min(0).optional() });
export type HeartbeatBrowserReport = z.infer<typeof HeartbeatBrowserReportSchema>;

export const WorkerHeartbeatSchema = z.object({
  stats: WorkerStatsSchema,
  /** Every account whose browser is not stopped on this worker; the rest are stopped here. */
  browsers: z.array(HeartbeatBrowserReportSchema).max(10_000).optional(),
});
export type WorkerHeartbeat = z.infer<typeof WorkerHeartbeatSchema>;

/** Every report about an account's work carries the assignment epoch it was made under. */
const JobReportBase = z.object({
  jobId: IdSchema,
  accountId: IdSchema,
  epoch: z.number().int().min(0),
  /** The attempt the report is about: a re-sent report of an earlier attempt is acknowledged, not applied. */
  attempt: z.number().int().min(1),
});

export const WorkerJobProgressSchema = JobReportBase.extend({
  percent: z.number().min(0).max(100),
  step: z.string().min(1).max(128),
  message: z.string().max(1024).optional(),
});
export type WorkerJobProgress = z.infer<typeof WorkerJobProgressSchema>;

/** Lines of the job's run.log as they are written (batched), for a live tail; run.log itself stays the record. */
export const WorkerJobLogSchema = JobReportBase.extend({ lines: z.array(z.string().max(4096)).min(1).max(1000) });
export type WorkerJobLog = z.infer<typeof WorkerJobLogSchema>;

/**
 * What a plugin passes to `ctx.rateLimited` when the platform throttles it, and what the job's
 * `rate_limited` result carries: how long to hold off, and whether the throttle is the account's or
 * the whole platform's.
 */
export const RateLimitedSchema = z.strictObject({
  retryAfterMs: z.number().int().min(0).max(RATE_LIMIT_PAUSE_MAX_MS),
  scope: z.enum(RATE_LIMIT_SCOPES),
  message: z.string().max(1024).optional(),
});
export type RateLimited = z.infer<typeof RateLimitedSchema>;

export const WorkerJobResultSchema = z.discriminatedUnion('status', [
  JobReportBase.extend({ status: z.literal('succeeded'), result: boundedJson(RESULT_BOUNDS).optional() }),
  JobReportBase.extend({ status: z.literal('failed'), error: ReportedErrorSchema }),
  JobReportBase.extend({ status: z.literal('cancelled'), error: ReportedErrorSchema.optional() }),
  /** The platform throttled the job (`ctx.rateLimited`): it goes back to the queue and its scope pauses for `retryAfterMs`. */
  JobReportBase.extend({ status: z.literal('rate_limited'), ...RateLimitedSchema.shape }),
]);
export type WorkerJobResult = z.infer<typeof WorkerJobResultSchema>;

export const WorkerLoginQrCodeSchema = JobReportBase.extend({ dataUrl: z.string().startsWith('data:image/png;base64,').max(2_000_000) });
export type WorkerLoginQrCode = z.infer<typeof WorkerLoginQrCodeSchema>;

export const WorkerLoginStatusSchema = JobReportBase.extend({
  status: z.enum(['waiting_scan', 'success', 'failed', 'expired']),
  message: z.string().max(1024).optional(),
});
export type WorkerLoginStatus = z.infer<typeof WorkerLoginStatusSchema>;

export const DetectedMessageSchema = z.object({
  kind: z.enum(['comment', 'dm']),
  platformMessageId: z.string().min(1).max(256),
  threadId: z.string().max(256).optional(),
  author: z.string().max(256),
  text: z.string().max(20_000),
  createdAt: z.string().optional(),
});
export type DetectedMessage = z.infer<typeof DetectedMessageSchema>;

export const WorkerMessageDetectedSchema = JobReportBase.extend({ messages: z.array(DetectedMessageSchema).max(1000) });
export type WorkerMessageDetected = z.infer<typeof WorkerMessageDetectedSchema>;

export const WorkerReplyResultSchema = JobReportBase.extend({ replyId: z.string().min(1).max(256), alreadyPosted: z.boolean() });
export type WorkerReplyResult = z.infer<typeof WorkerReplyResultSchema>;

export const WorkerStateSnapshotSchema = z.object({
  accountId: IdSchema,
  epoch: z.number().int().min(0),
  /** The worker's count; the master keeps the newest and ignores older ones. */
  version: z.number().int().min(0),
  storageState: StorageStateSchema,
});
export type WorkerStateSnapshot = z.infer<typeof WorkerStateSnapshotSchema>;

export const TaskAssignSchema = z.object({
  accountId: IdSchema,
  platform: PlatformSchema,
  epoch: z.number().int().min(0),
  credentials: CredentialsSchema.nullable(),
  /** Full proxy URL with credentials: crosses only the authenticated worker socket. */
  proxy: z.string().nullable(),
  deviceProfile: DeviceProfileSchema.nullable(),
  storageState: StorageStateSchema.nullable(),
  storageStateVersion: z.number().int().min(0),
});
export type TaskAssign = z.infer<typeof TaskAssignSchema>;

export const TaskRevokeSchema = z.object({ accountId: IdSchema, epoch: z.number().int().min(0), reason: z.string().max(256) });
export type TaskRevoke = z.infer<typeof TaskRevokeSchema>;

export const JobRunSchema = z.object({
  jobId: IdSchema,
  accountId: IdSchema,
  epoch: z.number().int().min(0),
  platform: PlatformSchema,
  type: JobTypeSchema,
  payload: z.record(z.string(), z.unknown()),
  attempt: z.number().int().min(1),
  timeoutMs: z.number().int().min(1),
});
export type JobRun = z.infer<typeof JobRunSchema>;

export const JobCancelSchema = z.object({ jobId: IdSchema, reason: z.string().max(256) });
export type JobCancel = z.infer<typeof JobCancelSchema>;

/** A change of one account's browser on the worker, sent as it happens (heartbeats carry the full list). */
export const WorkerAccountBrowserSchema = AccountBrowserReportSchema.extend({ epoch: z.number().int().min(0) });
export type WorkerAccountBrowser = z.infer<typeof WorkerAccountBrowserSchema>;

/** Start (warm) or stop (hibernate) an account's browser on its owner; answered with the resulting state. */
export const AccountBrowserCommandSchema = z.object({ accountId: IdSchema, epoch: z.number().int().min(0), action: BrowserActionSchema });
export type AccountBrowserCommand = z.infer<typeof AccountBrowserCommandSchema>;

export const WorkerDrainSchema = z.object({ reason: z.string().max(256) });
export type WorkerDrain = z.infer<typeof WorkerDrainSchema>;
