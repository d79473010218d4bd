import { z } from 'zod';
import { IdSchema, PlatformSchema, StepStatusSchema, TagSchema } from './common.js';
import { ProxyUrlSchema } from './proxy.js';
import { AccountBrowserViewSchema } from './browser.js';
import { COOKIE_BOUNDS, INDEXED_DB_BOUNDS, boundedJsonRecord } from './bounded-json.js';

export const CredentialsSchema = z.object({
  username: z.string().min(1).max(256),
  password: z.string().min(1).max(1024),
});
export type Credentials = z.infer<typeof CredentialsSchema>;

/** Stable per-account browser identity, applied through Playwright context options. */
export const DeviceProfileSchema = z.object({
  userAgent: z.string().min(1).max(512),
  viewport: z.object({ width: z.number().int().min(200).max(7680), height: z.number().int().min(200).max(4320) }),
  locale: z.string().min(2).max(35),
  timezoneId: z.string().min(1).max(64),
  deviceScaleFactor: z.number().min(1).max(4),
  colorScheme: z.enum(['light', 'dark', 'no-preference']),
});
export type DeviceProfile = z.infer<typeof DeviceProfileSchema>;

/**
 * Playwright's storage state: cookies plus localStorage per origin, and IndexedDB where it was
 * taken with `indexedDB: true` (shared browser mode, whose contexts keep nothing on disk).
 */
export const StorageStateSchema = z.object({
  cookies: z.array(boundedJsonRecord(COOKIE_BOUNDS)),
  origins: z.array(
    z.object({
      origin: z.string(),
      localStorage: z.array(z.object({ name: z.string(), value: z.string() })),
      indexedDB: z.array(boundedJsonRecord(INDEXED_DB_BOUNDS)).max(64).optional(),
    }),
  ),
});
export type StorageState = z.infer<typeof StorageStateSchema>;

export const CreateAccountBodySchema = z.strictObject({
  platform: PlatformSchema,
  label: z.string().max(256).optional(),
  tags: z.array(TagSchema).max(32).optional(),
  credentials: CredentialsSchema.optional(),
  proxy: ProxyUrlSchema.optional(),
  deviceProfile: DeviceProfileSchema.optional(),
});
export type CreateAccountBody = z.infer<typeof CreateAccountBodySchema>;

/**
 * PATCH of an account. A blank secret keeps the stored one (forms show secrets masked); `proxy:
 * null` removes the proxy. Proxy and device changes reach the owner at once: an idle browser is
 * relaunched with them, a busy one after its current job.
 */
export const UpdateAccountBodySchema = z.strictObject({
  label: z.string().max(256).nullable().optional(),
  tags: z.array(TagSchema).max(32).optional(),
  credentials: z.strictObject({ username: z.string().min(1).max(256).optional(), password: z.string().max(1024).optional() }).optional(),
  proxy: z
    .union([z.literal(''), ProxyUrlSchema])
    .nullable()
    .optional(),
  deviceProfile: DeviceProfileSchema.nullable().optional(),
});
export type UpdateAccountBody = z.infer<typeof UpdateAccountBodySchema>;

/** The per-step status fields written by the master from job outcomes. */

export const AccountStepStatusSchema = z.object({ status: StepStatusSchema, updatedAt: z.string().nullable() });

/** An account as the API shows it: secrets masked, never the real ones. */
export const AccountViewSchema = z.object({
  id: IdSchema,
  platform: PlatformSchema,
  label: z.string().nullable(),
  tags: z.array(TagSchema),
  credentials: z.object({ username: z.string(), password: z.literal('********') }).nullable(),
  proxy: z.string().nullable(),
  deviceProfile: DeviceProfileSchema.nullable(),
  hasStorageState: z.boolean(),
  storageStateVersion: z.number().int(),
  ownerWorkerId: z.string().nullable(),
  epoch: z.number().int(),
  steps: z.record(z.string(), AccountStepStatusSchema),
  /** The account's browser (state, worker, lock holder), from the workers' reports. */
  browser: AccountBrowserViewSchema,
  /** Until when the platform's throttle pauses the account's jobs (its own, or its platform's), when it does. */
  pausedUntil: z.string().nullable().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type AccountView = z.infer<typeof AccountViewSchema>;
