import express, { type Express, type Router } from 'express';
import { FleetError, type Logger, type TrustProxy } from '@fleetwright/shared';
import type { LiveLogs } from '../jobs/live-logs.js';
import type { JobCommands } from '../jobs/job-commands.js';
import type { Scheduler } from '../scheduler/scheduler.js';
import { requireToken } from './auth.js';
import { computeHealth } from './health.js';
import { healthRoute } from './health-route.js';
import { forwardWritesToLeader, type WriteTarget } from './forward-to-leader.js';
import { errorHandler, notFound } from './http-errors.js';
import { accountRoutes } from './routes/account-routes.js';
import { jobRoutes } from './routes/job-routes.js';
import { workerRoutes } from './routes/worker-routes.js';
import { homePage } from './home-page.js';
import { flowRoutes } from './routes/flow-routes.js';
import { monitorRoutes } from './routes/monitor-routes.js';
import { messageRoutes } from './routes/message-routes.js';
import { tokenRoutes } from './routes/token-routes.js';
import { sessionRoutes } from './routes/session-routes.js';
import { statsRoutes } from './routes/stats-routes.js';
import { openApiDocument } from './openapi.js';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { JobReports } from '../jobs/job-reports.js';
import type { BrowserCommands } from '../accounts/browser-commands.js';
import { artifactDownloadRoutes, artifactUploadRoutes } from './routes/artifact-routes.js';
import { securityHeaders } from './security-headers.js';
import type { WorkerAuth } from './worker-auth.js';
import type { ParentJobs } from '../jobs/parent-jobs.js';
import type { Monitors } from '../monitors/monitors.js';
import { metricsRoute } from '../metrics/metrics-route.js';
import { workerCredentialRoutes, workerEnrollRoutes } from './routes/worker-identity-routes.js';
import type { FleetBackend } from '../store/backend/fleet-backend.js';
import type { WorkerLinks } from '../scheduler/worker-links.js';
import type { FleetMetrics } from '../metrics/fleet-metrics.js';

export interface AppParts {
  /** The durable state, for everything the routes read and write themselves. */
  backend: FleetBackend;
  /** Memory-only parts: run.log lines as they stream in. */
  /** Running jobs' run.log lines as they stream in. */
  liveLogs: LiveLogs;
  scheduler: Scheduler;
  commands: JobCommands;
  parents: ParentJobs;
  monitors: Monitors;
  reports: JobReports;
  browsers: BrowserCommands;
  /** Connected workers, to cut one whose credential is revoked. */
  workers: Pick<WorkerLinks, 'disconnect'>;
  /** Checks a worker's credential on artifact uploads. */
  workerAuth: WorkerAuth;
  /** The largest artifact upload. @defaultValue 64 MB */
  maxArtifactBytes?: number | undefined;
  /** Express's `trust proxy` (FLEET_TRUST_PROXY): whether `X-Forwarded-*` from a TLS proxy count. @defaultValue false */
  trustProxy?: TrustProxy | undefined;
  /** When set, `/metrics` needs `Authorization: Bearer <it>` (FLEET_METRICS_TOKEN). */
  metricsToken?: string | undefined;
  /** Built dashboard (index.html and assets) served at `/`; absent: a plain status page. */
  dashboardDir?: string | undefined;
  /** Which master this is and which leads, for `/health`. */
  masters?: () => { self: string; leader: string | null; leading: boolean };
  /** With several masters: where a write goes (see forwardWritesToLeader). @defaultValue this master */
  writeTarget?: WriteTarget;
  /** Prometheus metrics served at `/metrics` (no token unless `metricsToken`). */
  metrics?: FleetMetrics | undefined;
  /** More routes of the token-checked API (the live view's takeovers). */
  extraRoutes?: Router[];
  logger: Logger;
}

export function createApp(parts: AppParts): Express {
  const { backend, scheduler, commands, parents, monitors, reports, browsers, dashboardDir, metrics, logger } = parts;
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  // Only a configured proxy's X-Forwarded-Proto makes `req.secure` (and so a `Secure` session cookie).
  app.set('trust proxy', parts.trustProxy ?? false);
  app.use(securityHeaders);
  app.get(
    '/health',
    healthRoute(() => computeHealth(backend, scheduler, parts.masters?.()), parts.masters, logger),
  );
  if (metrics) app.get('/metrics', metricsRoute(metrics, logger, parts.metricsToken));
  if (dashboardDir && existsSync(path.join(dashboardDir, 'index.html'))) {
    app.use(express.static(dashboardDir, { index: 'index.html', maxAge: '1h' }));
  } else {
    app.get('/', async (_req, res) => {
      res.type('html').send(homePage(await computeHealth(backend, scheduler, parts.masters?.())));
    });
  }
  if (parts.writeTarget) app.use('/api/v1', forwardWritesToLeader(parts.writeTarget, parts.masters?.().self ?? 'master', logger));
  // Workers upload with their own credential, not an API token, so this comes before the API auth.
  app.use('/api/v1', artifactUploadRoutes(backend, parts.liveLogs, { workerAuth: parts.workerAuth, maxBytes: parts.maxArtifactBytes }));
  app.use('/api/v1', workerEnrollRoutes(backend.workerCredentials));
  app.use('/api/v1', sessionRoutes(backend.tokens));
  // The API's own description is public, like /health: it holds no data.
  const openApi = openApiDocument();
  app.get('/api/v1/openapi.json', (_req, res) => {
    res.json(openApi);
  });
  const api = express.Router();
  api.use(requireToken(backend.tokens));
  api.use(express.json({ limit: '2mb' }));
  api.get('/session', (_req, res) => {
    res.json({ role: res.locals.role });
  });
  api.use(accountRoutes(backend, scheduler, commands, browsers));
  api.use(jobRoutes(backend, parts.liveLogs, commands, scheduler.limits));
  api.use(workerRoutes(backend, scheduler));
  api.use(workerCredentialRoutes(backend.workerCredentials, parts.workers));
  api.use(flowRoutes(parents));
  api.use(monitorRoutes(monitors));
  api.use(artifactDownloadRoutes(backend));
  api.use(messageRoutes(backend.messages));
  api.use(tokenRoutes(backend.tokens));
  api.use(statsRoutes(backend.jobs));
  for (const routes of parts.extraRoutes ?? []) api.use(routes);
  api.get('/jobs/:id/qrcode', async (req, res) => {
    await backend.jobs.require(req.params.id, 'id');
    const dataUrl = reports.qrCodeOf(req.params.id);
    if (!dataUrl) throw new FleetError('NOT_FOUND', `job ${req.params.id} has no QR code (yet)`, { field: 'id' });
    res.json({ jobId: req.params.id, dataUrl });
  });
  app.use('/api/v1', api);
  app.use(notFound);
  app.use(errorHandler(logger));
  return app;
}
