import { Router } from 'express';
import { z } from 'zod';
import { parseOrThrow } from '@fleetwright/shared';
import type { FleetStore } from '../../store/fleet-store.js';
import type { Scheduler } from '../../scheduler/scheduler.js';

const DrainBodySchema = z.strictObject({ reason: z.string().max(256).optional() }).optional();

export function workerRoutes(store: FleetStore, scheduler: Scheduler): Router {
  const router = Router();
  router.get('/workers', (_req, res) => {
    const items = store.workers.all().map((w) => store.workers.view(w, store.accounts.countOwnedBy(w.id)));
    res.json({ items, nextCursor: null });
  });
  router.get('/workers/:id', (req, res) => {
    const row = store.workers.require(req.params.id);
    res.json(store.workers.view(row, store.accounts.countOwnedBy(row.id)));
  });
  router.post('/workers/:id/drain', (req, res) => {
    const body = parseOrThrow(DrainBodySchema, req.body);
    scheduler.drainWorker(req.params.id, body?.reason ?? 'drain requested');
    const row = store.workers.require(req.params.id);
    res.json(store.workers.view(row, store.accounts.countOwnedBy(row.id)));
  });
  return router;
}
