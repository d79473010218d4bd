import { Router } from 'express';
import { CreateJobBodySchema, CreateJobsBulkBodySchema, JobListQuerySchema, PageQuerySchema, parseOrThrow, type JobView } from '@fleetwright/shared';
import type { FleetBackend } from '../../store/backend/fleet-backend.js';
import type { LiveLogs } from '../../jobs/live-logs.js';
import type { JobCommands } from '../../jobs/job-commands.js';
import type { FleetLimits } from '../../limits/fleet-limits.js';

/** `limits`: says which limit holds a queued job (its `heldBy`). */
export function jobRoutes(store: FleetBackend, liveLogs: LiveLogs, commands: JobCommands, limits?: Pick<FleetLimits, 'jobView'>): Router {
  const held = (view: JobView): JobView => (limits ? limits.jobView(view) : view);
  const router = Router();
  router.post('/jobs', async (req, res) => {
    const body = parseOrThrow(CreateJobBodySchema, req.body);
    const { job, created } = await commands.submit(body);
    res.status(created ? 201 : 200).json(job);
  });
  router.post('/jobs/bulk', async (req, res) => {
    const body = parseOrThrow(CreateJobsBulkBodySchema, req.body);
    const items = (await commands.submitMany(body.jobs)).map(({ job }) => ({ id: job.id, status: job.status, idempotencyKey: job.idempotencyKey }));
    res.status(201).json({ items });
  });
  router.get('/jobs', async (req, res) => {
    const page = parseOrThrow(PageQuerySchema, req.query);
    const filter = parseOrThrow(JobListQuerySchema, { status: req.query.status, type: req.query.type, accountId: req.query.accountId });
    const jobs = await store.jobs.list(filter, page.limit, page.cursor);
    res.json({ ...jobs, items: jobs.items.map(held) });
  });
  router.get('/jobs/:id', async (req, res) => {
    res.json(held(await store.jobs.view(await store.jobs.require(req.params.id, 'id'))));
  });
  // The timeline oldest first, a page at a time (`nextCursor` until the last page).
  router.get('/jobs/:id/events', async (req, res) => {
    await store.jobs.require(req.params.id, 'id');
    const page = parseOrThrow(PageQuerySchema, req.query);
    res.json(await store.jobs.eventPage(req.params.id, page.limit, page.cursor));
  });
  // The live tail while the job runs; once run.log is uploaded, read it as an artifact.
  router.get('/jobs/:id/log', async (req, res) => {
    await store.jobs.require(req.params.id, 'id');
    res.json({ jobId: req.params.id, lines: liveLogs.lines(req.params.id) });
  });
  router.post('/jobs/:id/cancel', async (req, res) => {
    res.json(await commands.cancel(req.params.id));
  });
  return router;
}
