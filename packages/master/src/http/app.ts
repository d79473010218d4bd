import express, { type Express } from 'express';
import type { Logger } from '@fleetwright/shared';
import type { FleetStore } from '../store/fleet-store.js';
import type { JobCommands } from '../scheduler/job-commands.js';
import type { Scheduler } from '../scheduler/scheduler.js';
import { requireToken } from './auth.js';
import { computeHealth } from './health.js';
import { errorHandler, notFound } from './http-errors.js';
import { accountRoutes } from './routes/account-routes.js';
import { jobRoutes } from './routes/job-routes.js';
import { workerRoutes } from './routes/worker-routes.js';
import { homePage } from './home-page.js';

export function createApp(store: FleetStore, scheduler: Scheduler, commands: JobCommands, logger: Logger): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.get('/health', (_req, res) => {
    res.json(computeHealth(store, scheduler));
  });
  app.get('/', (_req, res) => {
    res.type('html').send(homePage(computeHealth(store, scheduler)));
  });
  const api = express.Router();
  api.use(requireToken(store.tokens));
  api.use(express.json({ limit: '2mb' }));
  api.use(accountRoutes(store, scheduler));
  api.use(jobRoutes(store, commands));
  api.use(workerRoutes(store));
  app.use('/api/v1', api);
  app.use(notFound);
  app.use(errorHandler(logger));
  return app;
}
