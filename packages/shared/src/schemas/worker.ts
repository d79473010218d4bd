import { z } from 'zod';
import { ACCOUNT_STEPS, WORKER_STATUSES } from './constants.js';
import { IdSchema, PlatformSchema } from './common.js';
import { JobTimeoutSchema, JobTypeSchema } from './job.js';
import { PAYLOAD_SCHEMA_BOUNDS, boundedJsonRecord } from './bounded-json.js';
import { PluginLimitDefaultsSchema } from './rate-limit.js';

export const WorkerStatusSchema = z.enum(WORKER_STATUSES);
export type WorkerStatus = z.infer<typeof WorkerStatusSchema>;

/** What a worker can run: one entry per loaded platform plugin. */
export const CapabilitySchema = z.object({
  platform: PlatformSchema,
  jobTypes: z.array(JobTypeSchema).min(1).max(256),
  /** JSON Schema of each job type's payload (input side), so the master refuses a bad payload at submit. */
  payloadSchemas: boundedJsonRecord(PAYLOAD_SCHEMA_BOUNDS).optional(),
  /** Each job type's own deadline where its plugin sets one: the default for jobs that name none. */
  timeouts: z.record(z.string(), JobTimeoutSchema).optional(),
  /** The account status each job type moves (`login` → the account's login step), where its plugin declares one. */
  accountSteps: z.record(z.string(), z.enum(ACCOUNT_STEPS)).optional(),
  /** Each job type's default limits where its plugin declares them (operators may override them). */
  limits: z.record(z.string(), PluginLimitDefaultsSchema).optional(),
});
export type Capability = z.infer<typeof CapabilitySchema>;

/** A worker's browsers' memory (PSS over their process trees) against its limit. */
export const WorkerMemorySchema = z.object({
  limitBytes: z.number().int().min(0),
  browserPssBytes: z.number().int().min(0),
  /** At or above the worker's high-water mark: it hibernates idle contexts and takes no new accounts. */
  underPressure: z.boolean(),
});
export type WorkerMemory = z.infer<typeof WorkerMemorySchema>;

export const WorkerStatsSchema = z.object({
  rssBytes: z.number().int().min(0),
  browserRssBytes: z.number().int().min(0),
  cpuPercent: z.number().min(0),
  liveContexts: z.number().int().min(0),
  runningJobs: z.number().int().min(0),
  /** Accounts whose context was closed to stay under the live cap, with their state kept. */
  hibernatedContexts: z.number().int().min(0).optional(),
  /** Profile locks taken and lost since the worker started (Redis; absent without it). */
  lockAcquisitions: z.number().int().min(0).optional(),
  lockLosses: z.number().int().min(0).optional(),
  /** Absent from workers that do not measure it (older versions). */
  memory: WorkerMemorySchema.optional(),
});
export type WorkerStats = z.infer<typeof WorkerStatsSchema>;

export const WorkerViewSchema = z.object({
  id: IdSchema,
  host: z.string(),
  version: z.string(),
  capabilities: z.array(CapabilitySchema),
  maxAccounts: z.number().int(),
  maxConcurrency: z.number().int(),
  status: WorkerStatusSchema,
  lastHeartbeatAt: z.string().nullable(),
  stats: WorkerStatsSchema.nullable(),
  accounts: z.number().int(),
  createdAt: z.string(),
});
export type WorkerView = z.infer<typeof WorkerViewSchema>;
