import { z } from 'zod';
import { IdSchema } from './common.js';
import { BROWSER_ACTIONS, BROWSER_STATES } from './constants.js';

/**
 * An account's browser: `stopped` (no context open; a hibernated one keeps its directory and its
 * state at the master), `starting` (launching, taking the profile lock, restoring state),
 * `running` (context open, lock held), `error` (the last launch failed or the browser died; the
 * next start or job tries again).
 */
export const BrowserStateSchema = z.enum(BROWSER_STATES);
export type BrowserState = z.infer<typeof BrowserStateSchema>;

/** Start warms the account's context on its owner; stop hibernates it (snapshot, close, keep the directory). */
export const BrowserActionSchema = z.enum(BROWSER_ACTIONS);
export type BrowserAction = z.infer<typeof BrowserActionSchema>;

/** One account's browser as its worker reports it. */
export const AccountBrowserReportSchema = z.object({
  accountId: IdSchema,
  state: BrowserStateSchema,
  /** The fencing token of the profile lock the context holds (`X-Fleet-Fence`); null before it is taken. */
  fenceToken: z.number().int().min(0).nullable(),
  /** Why the last launch failed or the browser died (state `error`). */
  error: z.string().max(1024).nullable(),
});
export type AccountBrowserReport = z.infer<typeof AccountBrowserReportSchema>;

/** The profile lock's holder: the worker whose open context holds it, and the lock's fencing token. */
export const LockHolderSchema = z.object({ workerId: IdSchema, fenceToken: z.number().int().min(0) });
export type LockHolder = z.infer<typeof LockHolderSchema>;

/** An account's browser as the API shows it; the master keeps it from its workers' reports. */
export const AccountBrowserViewSchema = z.object({
  state: BrowserStateSchema,
  /** The worker the state was reported by (the owner, normally). */
  workerId: IdSchema.nullable(),
  lockHolder: LockHolderSchema.nullable(),
  error: z.string().nullable(),
  updatedAt: z.string().nullable(),
});
export type AccountBrowserView = z.infer<typeof AccountBrowserViewSchema>;

export const STOPPED_BROWSER: AccountBrowserView = { state: 'stopped', workerId: null, lockHolder: null, error: null, updatedAt: null };
