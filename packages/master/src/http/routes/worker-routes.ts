import { Router } from 'express';
import { z } from 'zod';
import { parseOrThrow, type WorkerView } from '@fleetwright/shared';
import type { FleetBackend } from '../../store/backend/fleet-backend.js';
import type { Scheduler } from '../../scheduler/scheduler.js';

const DrainBodySchema = z.strictObject({ reason: z.string().max(256).optional() }).optional();

export function workerRoutes(store: FleetBackend, scheduler: Scheduler): Router {
  const router = Router();
  const view = async (id: string): Promise<WorkerView> => {
    const row = await store.workers.require(id);
    return store.workers.view(row, await store.accounts.countOwnedBy(row.id));
  };
  router.get('/workers', async (_req, res) => {
    const items = await Promise.all((await store.workers.all()).map(async (w) => store.workers.view(w, await store.accounts.countOwnedBy(w.id))));
    res.json({ items, nextCursor: null });
  });
  router.get('/workers/:id', async (req, res) => {
    res.json(await view(req.params.id));
  });
  router.post('/workers/:id/drain', async (req, res) => {
    const body = parseOrThrow(DrainBodySchema, req.body);
    await scheduler.decide(() => scheduler.drainWorker(req.params.id, body?.reason ?? 'drain requested'));
    res.json(await view(req.params.id));
  });
  return router;
}
