import { Router } from 'express';
import { z } from 'zod';
import { CreateMonitorBodySchema, IdSchema, PageQuerySchema, parseOrThrow } from '@fleetwright/shared';
import type { Monitors } from '../../monitors/monitors.js';

const MonitorQuerySchema = z.object({ accountId: IdSchema.optional() });

/** Recurring jobs per account: create, list, pause, resume, delete. */
export function monitorRoutes(monitors: Monitors): Router {
  const router = Router();
  router.post('/monitors', async (req, res) => {
    res.status(201).json(await monitors.create(parseOrThrow(CreateMonitorBodySchema, req.body)));
  });
  router.get('/monitors', async (req, res) => {
    const page = parseOrThrow(PageQuerySchema, req.query);
    const query = parseOrThrow(MonitorQuerySchema, { accountId: req.query.accountId });
    res.json(await monitors.store.list(query.accountId, page.limit, page.cursor));
  });
  router.get('/monitors/:id', async (req, res) => {
    res.json(monitors.store.view(await monitors.store.require(req.params.id)));
  });
  router.post('/monitors/:id/pause', async (req, res) => {
    res.json(monitors.store.view(await monitors.store.setPaused(req.params.id, true)));
  });
  router.post('/monitors/:id/resume', async (req, res) => {
    res.json(monitors.store.view(await monitors.store.setPaused(req.params.id, false)));
  });
  router.delete('/monitors/:id', async (req, res) => {
    await monitors.store.delete(req.params.id);
    res.status(204).end();
  });
  return router;
}
