import { z } from 'zod';
import { STEP_STATUSES } from './constants.js';

export const IdSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'must be letters, digits, _ . : or -');
export const PlatformSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9_-]+$/, 'must be lowercase letters, digits, _ or -');
export const TagSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'must be letters, digits, _ . : or -');
export const IsoDateSchema = z.string();

export const PageQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(64).optional(),
});
export type PageQuery = z.infer<typeof PageQuerySchema>;

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export const ErrorBodySchema = z.object({
  code: z.string(),
  message: z.string(),
  field: z.string().optional(),
  retryable: z.boolean().optional(),
});
export type ErrorBody = z.infer<typeof ErrorBodySchema>;

/** Longest error message a worker's report keeps; a plugin's longer message is cut, not refused. */
export const MAX_REPORTED_ERROR_MESSAGE = 4096;

/**
 * An error as a worker reports it (a job's failure): bounded, so a plugin's huge message cannot
 * bloat the job, its events and every view. The message is cut rather than refused: refusing a
 * failure report would leave the job running until its lease ran out.
 */
export const ReportedErrorSchema = z.object({
  code: z.string().min(1).max(64),
  message: z.string().transform((m) => (m.length > MAX_REPORTED_ERROR_MESSAGE ? `${m.slice(0, MAX_REPORTED_ERROR_MESSAGE)}…` : m)),
  field: z.string().max(256).optional(),
  retryable: z.boolean().optional(),
});

/** Every acknowledged socket request answers with one of these. */
export type Ack<T = undefined> = { ok: true; data: T } | { ok: false; error: ErrorBody };
export type AckCallback<T = undefined> = (response: Ack<T>) => void;

export const StepStatusSchema = z.enum(STEP_STATUSES);
export type StepStatus = z.infer<typeof StepStatusSchema>;
