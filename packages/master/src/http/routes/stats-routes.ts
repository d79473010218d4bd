import { Router } from 'express';
import { z } from 'zod';
import { parseOrThrow, type JobsPerMinuteView } from '@fleetwright/shared';
import type { JobsBackend } from '../../store/backend/jobs-backend.js';

const MINUTE_MS = 60_000;
const StatsQuerySchema = z.object({
  minutes: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(60),
});

/**
 * Read-only figures for the dashboard's overview. `GET /stats/jobs-per-minute?minutes=60` counts
 * the jobs that finished in each of the last `minutes` minutes by outcome (one grouped query over
 * the `finished_at` index, so its cost follows the last hour's jobs, not the table), plus every
 * job by status now.
 */
export function statsRoutes(jobs: JobsBackend): Router {
  const router = Router();
  router.get('/stats/jobs-per-minute', async (req, res) => {
    const { minutes } = parseOrThrow(StatsQuerySchema, { minutes: req.query.minutes });
    const lastMinute = Math.floor(Date.now() / MINUTE_MS);
    const firstMinute = lastMinute - minutes + 1;
    const rows = await jobs.finishedPerMinute(firstMinute * MINUTE_MS);
    const buckets = Array.from({ length: minutes }, (_, i) => ({
      at: new Date((firstMinute + i) * MINUTE_MS).toISOString(),
      succeeded: 0,
      failed: 0,
      cancelled: 0,
    }));
    for (const row of rows) {
      const bucket = buckets[row.minute - firstMinute];
      if (bucket && (row.status === 'succeeded' || row.status === 'failed' || row.status === 'cancelled')) bucket[row.status] += row.n;
    }
    const view: JobsPerMinuteView = { minutes: buckets, totals: await jobs.countByStatus() };
    res.json(view);
  });
  return router;
}
