import type { Page } from 'playwright-core';
import type { z } from 'zod';
import type { AccountStep, AskHumanOptions, Credentials, PluginEvents, PluginLimitDefaults, RateLimited } from '@fleetwright/shared';

/**
 * Everything a job handler may touch. Plugins never open browsers, take locks or talk to the
 * master: the worker does that around them.
 */
export interface JobContext {
  readonly jobId: string;
  readonly accountId: string;
  readonly attempt: number;
  /** The account's credentials, when it has any. */
  readonly credentials: Credentials | null;
  /** Fires on cancel, deadline or lost lock; pass it on and check it between steps. */
  readonly signal: AbortSignal;
  /** A fresh page in the account's context, closed by the worker after the job. */
  page(): Promise<Page>;
  /** Reports progress (0–100) and the current step to the master. */
  progress(percent: number, step: string, message?: string): void;
  /** One line to the job's run.log. */
  log(line: string): void;
  /**
   * Tells the master (and through it the dashboard and upstream) something the job found:
   * a QR code to scan, a login status, messages, a posted reply. Delivered at least once.
   */
  emit<K extends keyof PluginEvents>(event: K, data: PluginEvents[K]): Promise<void>;
  /** Saves a screenshot of the job's current page as `<name>.png`, an artifact of the job. */
  screenshot(name: string): Promise<void>;
  /** Snapshots the account's storage state (cookies, localStorage) and sends it to the master. */
  saveState(): Promise<void>;
  /**
   * Asks for a person: the job's step shows `waiting for a person` with the reason, the dashboard
   * and upstream get `human:needed`, and an operator takes over the page. Resolves when they press
   * Done; rejects with HUMAN_TIMEOUT when nobody has taken over after `timeoutMs` (default 5 min),
   * or with the cancel's error. The job's own deadline still applies.
   */
  askHuman(options: AskHumanOptions): Promise<void>;
  /**
   * Passes on the platform's own backoff (a 429 and its `Retry-After`, a "slow down" page) and ends
   * the run: the job is reported `rate_limited` with `retryAfterMs` (0 to one day) and `scope`
   * (`account`: this account is throttled; `platform`: every account of the platform is), and the
   * master holds it and the scope for that long without using an attempt. It throws a
   * `RateLimitedError`; a handler that catches errors around it must rethrow that one. A bad
   * value fails the job with VALIDATION_FAILED naming the field.
   */
  rateLimited(options: RateLimited): never;
}

/** What a plugin may emit, and the payload of each: derived from the events' schemas in the contract. */
export type { PluginEvents };

export interface JobDefinition<S extends z.ZodType = z.ZodType> {
  /** The payload's schema; a payload that fails it is refused before any browser work. */
  schema: S;
  /** Deadline for one run when the job names none. @defaultValue the master's */
  timeoutMs?: number;
  /**
   * The account status this job type moves (`login`, `invite` or `team_join`): the master marks it
   * running, then succeeded or failed, on the account as the job goes. @defaultValue none
   */
  accountStep?: AccountStep;
  /**
   * Default limits of this job type, per account and across the fleet for the platform
   * (`{ account: { max: 20, windowMs: 3_600_000 } }`): sent to the master in the worker's
   * capabilities; operators may tighten or loosen them. Checked at plugin load. @defaultValue none
   */
  limits?: PluginLimitDefaults;
  run(ctx: JobContext, payload: z.output<S>): Promise<unknown>;
}

export interface PlatformPlugin {
  /** Platform name accounts are created with (`sandbox`). */
  platform: string;
  jobs: Record<string, JobDefinition>;
  /**
   * Origins (`https://example.test`, scheme + host + port) that check the `X-Fleet-Fence` header:
   * only requests to these carry the account's fencing token. Any other site the page contacts
   * never sees it. @defaultValue none
   */
  fenceOrigins?: readonly string[];
}

/** Keeps the payload type of each job tied to its schema. */
export function defineJob<S extends z.ZodType>(definition: JobDefinition<S>): JobDefinition {
  return definition as unknown as JobDefinition;
}
