import { Router } from 'express';
import type { FleetStore } from '../../store/fleet-store.js';

export function workerRoutes(store: FleetStore): Router {
  const router = Router();
  router.get('/workers', (_req, res) => {
    const items = store.workers.all().map((w) => store.workers.view(w, store.accounts.countOwnedBy(w.id)));
    res.json({ items, nextCursor: null });
  });
  router.get('/workers/:id', (req, res) => {
    const row = store.workers.require(req.params.id);
    res.json(store.workers.view(row, store.accounts.countOwnedBy(row.id)));
  });
  return router;
}
