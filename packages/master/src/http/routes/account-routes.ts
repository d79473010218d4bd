import { Router } from 'express';
import { CreateAccountBodySchema, PageQuerySchema, parseOrThrow } from '@fleetwright/shared';
import type { FleetStore } from '../../store/fleet-store.js';
import type { Scheduler } from '../../scheduler/scheduler.js';
import type { JobCommands } from '../../scheduler/job-commands.js';

export function accountRoutes(store: FleetStore, scheduler: Scheduler, commands: JobCommands): Router {
  const router = Router();
  router.post('/accounts', (req, res) => {
    const body = parseOrThrow(CreateAccountBodySchema, req.body);
    commands.checkPlatform(body.platform);
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
