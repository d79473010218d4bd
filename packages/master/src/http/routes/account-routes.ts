import { Router } from 'express';
import { CreateAccountBodySchema, PageQuerySchema, parseOrThrow } from '@fleetwright/shared';
import type { FleetStore } from '../../store/fleet-store.js';
import type { Scheduler } from '../../scheduler/scheduler.js';

export function accountRoutes(store: FleetStore, scheduler: Scheduler): Router {
  const router = Router();
  router.post('/accounts', (req, res) => {
    const body = parseOrThrow(CreateAccountBodySchema, req.body);
    const account = store.accounts.create(body);
    scheduler.schedule();
    res.status(201).json(account);
  });
  router.get('/accounts', (req, res) => {
    const query = parseOrThrow(PageQuerySchema, req.query);
    res.json(store.accounts.list(query.limit, query.cursor));
  });
  router.get('/accounts/:id', (req, res) => {
    res.json(store.accounts.get(req.params.id));
  });
  return router;
}
