import { z } from 'zod';

const MastersSchema = z.object({ self: z.string(), leader: z.string().nullable(), leading: z.boolean() });

/** `GET /health`: public, no token; upstream scripts rely on this shape. */
export const HealthSchema = z.object({
  status: z.enum(['ok', 'degraded']),
  workers: z.object({ online: z.number().int(), draining: z.number().int(), offline: z.number().int() }),
  accounts: z.object({ total: z.number().int(), live: z.number().int(), busy: z.number().int() }),
  jobs: z.object({ queued: z.number().int(), running: z.number().int() }),
  pools: z.record(z.string(), z.object({ capacity: z.number().int() })),
  /** Which master answered, and which leads (several masters may share a PostgreSQL store). */
  masters: MastersSchema.optional(),
});
export type Health = z.infer<typeof HealthSchema>;

/**
 * `GET /health` with status 503: the master could not read the fleet from its database in time
 * (cut off from PostgreSQL, say). It still says which master answered and whether it leads.
 */
export const HealthUnavailableSchema = z.object({
  status: z.literal('unavailable'),
  error: z.string(),
  masters: MastersSchema.optional(),
});
export type HealthUnavailable = z.infer<typeof HealthUnavailableSchema>;
