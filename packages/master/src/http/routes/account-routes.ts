import { Router } from 'express';
import { CreateAccountBodySchema, PageQuerySchema, UpdateAccountBodySchema, parseOrThrow } from '@fleetwright/shared';
import type { FleetBackend } from '../../store/backend/fleet-backend.js';
import type { Scheduler } from '../../scheduler/scheduler.js';
import type { JobCommands } from '../../jobs/job-commands.js';
import type { BrowserCommands } from '../../accounts/browser-commands.js';

export function accountRoutes(store: FleetBackend, scheduler: Scheduler, commands: JobCommands, browsers: BrowserCommands): Router {
  const router = Router();
  router.post('/accounts', async (req, res) => {
    const body = parseOrThrow(CreateAccountBodySchema, req.body);
    commands.checkPlatform(body.platform);
    const account = await store.accounts.create(body);
    scheduler.accountsChanged();
    res.status(201).json(account);
  });
  router.get('/accounts', async (req, res) => {
    const query = parseOrThrow(PageQuerySchema, req.query);
    const page = await store.accounts.list(query.limit, query.cursor);
    res.json({ ...page, items: await scheduler.limits.accountViews(page.items) });
  });
  router.get('/accounts/:id', async (req, res) => {
    const [account] = await scheduler.limits.accountViews([await store.accounts.get(req.params.id)]);
    res.json(account);
  });
  router.patch('/accounts/:id', async (req, res) => {
    const body = parseOrThrow(UpdateAccountBodySchema, req.body);
    const account = await store.accounts.update(req.params.id, body);
    // The owner gets the new secrets with a fresh delivery of its assignment (same epoch).
    scheduler.redeliver(req.params.id);
    res.json(account);
  });
  // Start warms the account's browser on its owner; stop hibernates it. Both answer with the account.
  router.post('/accounts/:id/browser/start', async (req, res) => {
    res.json(await browsers.control(req.params.id, 'start'));
  });
  router.post('/accounts/:id/browser/stop', async (req, res) => {
    res.json(await browsers.control(req.params.id, 'stop'));
  });
  // Reset force-closes a stuck browser (a job hung in the page) and reopens it under a new fence.
  router.post('/accounts/:id/browser/reset', async (req, res) => {
    res.json(await browsers.control(req.params.id, 'reset'));
  });
  router.delete('/accounts/:id', async (req, res) => {
    await commands.deleteAccount(req.params.id);
    res.status(204).end();
  });
  return router;
}
