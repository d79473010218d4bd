import { Router } from 'express';
import { PutLimitBodySchema, parseOrThrow, type LimitListView } from '@fleetwright/shared';
import type { FleetBackend } from '../store/backend/fleet-backend.js';
import type { Scheduler } from '../scheduler/scheduler.js';
import { limitView, pauseView } from './limit-views.js';

type LimitScheduler = Pick<Scheduler, 'limits' | 'decide'>;

/**
 * Operators' limits: list (with the plugins' defaults and the pauses in force), set, delete. A
 * change is a decision: it applies from the next pass on. Viewers may only read (the API's token
 * check refuses their changes).
 */
export function limitRoutes(scheduler: LimitScheduler, store: Pick<FleetBackend, 'limits'>): Router {
  const router = Router();
  router.get('/limits', async (_req, res) => {
    res.json(await readLimits(store, scheduler));
  });
  router.put('/limits', async (req, res) => {
    const body = parseOrThrow(PutLimitBodySchema, req.body);
    res.json(limitView(await scheduler.decide(() => scheduler.limits.put(body))));
  });
  router.delete('/limits/:id', async (req, res) => {
    await scheduler.decide(() => scheduler.limits.delete(req.params.id));
    res.status(204).end();
  });
  return router;
}

/** From the store, so a master that does not lead answers as the leader would; the plugins' defaults from memory. */
async function readLimits(store: Pick<FleetBackend, 'limits'>, scheduler: LimitScheduler): Promise<LimitListView> {
  const now = Date.now();
  return {
    items: (await store.limits.list()).map(limitView),
    defaults: scheduler.limits.list(now).defaults,
    pauses: (await store.limits.pauses(now)).map(pauseView),
  };
}
