import { Router, type Request } from 'express';
import { FleetError } from '@fleetwright/shared';
import { holdsSessionData } from '../../store/artifact-files.js';
import type { FleetBackend } from '../../store/backend/fleet-backend.js';
import type { LiveLogs } from '../../jobs/live-logs.js';
import type { WorkerAuth } from '../worker-auth.js';
import { restJobLinks } from '../rest-links.js';

/** The largest artifact a worker may upload (a trace with DOM snapshots of a long job). */
export const DEFAULT_MAX_ARTIFACT_BYTES = 64 * 1024 * 1024;

/** The header that names the attempt an upload belongs to: only the worker running it may upload. */
export const ATTEMPT_HEADER = 'x-fleet-attempt';

/**
 * Downloads for clients: only a job's own recorded files, by name, with their content type.
 * Files that can hold an account's session (traces, screenshots) need an operator or admin token.
 */
export function artifactDownloadRoutes(store: Pick<FleetBackend, 'jobs' | 'artifacts'>): Router {
  const router = Router();
  router.get('/jobs/:id/artifacts/:name', async (req, res) => {
    await store.jobs.require(req.params.id, 'id');
    store.artifacts.checkName(req.params.name);
    const row = await store.artifacts.require(req.params.id, req.params.name);
    if (holdsSessionData(row.name) && res.locals.role === 'viewer')
      throw new FleetError('FORBIDDEN', `name: ${row.name} can hold session data; a viewer token cannot read it`, { field: 'name' });
    res.type(row.content_type);
    res.setHeader('content-disposition', `attachment; filename="${row.name}"`);
    res.sendFile(row.path);
  });
  return router;
}

export interface ArtifactUploadOptions {
  workerAuth: WorkerAuth;
  /** @defaultValue {@link DEFAULT_MAX_ARTIFACT_BYTES} */
  maxBytes?: number | undefined;
}

/**
 * Uploads from workers: `PUT /api/v1/worker/jobs/:id/artifacts/:name` with the raw bytes,
 * `Authorization: Bearer <worker credential>`, `X-Fleet-Worker` and `X-Fleet-Attempt`. Who is asking
 * is checked before a byte of the body is read; then only the worker running that attempt of the
 * job may upload, and the body streams to disk under a size cap (413 TOO_LARGE).
 */
export function artifactUploadRoutes(
  store: Pick<FleetBackend, 'jobs' | 'artifacts'>,
  liveLogs: LiveLogs,
  { workerAuth, maxBytes = DEFAULT_MAX_ARTIFACT_BYTES }: ArtifactUploadOptions,
): Router {
  const router = Router();
  router.put('/worker/jobs/:id/artifacts/:name', async (req, res) => {
    try {
      const token = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '')?.[1];
      const workerId = req.get('x-fleet-worker');
      if (!token || !workerId || !(await workerAuth.verify(workerId, token)))
        throw new FleetError('UNAUTHORIZED', 'artifact uploads need the worker credential and X-Fleet-Worker');
      store.artifacts.checkName(req.params.name);
      const attempt = attemptOf(req);
      const job = await store.jobs.require(req.params.id, 'id');
      if (job.worker_id !== workerId || job.attempt !== attempt)
        throw new FleetError('NOT_OWNER', `job ${job.id}: attempt ${attempt} is not worker ${workerId}'s to upload for`, { field: ATTEMPT_HEADER });
      const declared = Number(req.get('content-length') ?? 0);
      if (declared > maxBytes) throw new FleetError('TOO_LARGE', `body: an artifact may be at most ${maxBytes} bytes`, { field: 'body' });
      const row = await store.artifacts.saveStream(job.id, req.params.name, req, maxBytes);
      if (row.name === 'run.log') liveLogs.drop(job.id);
      res.status(201).json({ name: row.name, size: row.size, url: restJobLinks.artifactUrl(job.id, row.name) });
    } catch (error) {
      // Refused with its body unread: close the connection rather than read the rest of it.
      if (!req.complete) res.setHeader('connection', 'close');
      throw error;
    }
  });
  return router;
}

function attemptOf(req: Request): number {
  const raw = req.get(ATTEMPT_HEADER);
  if (!raw || !/^[1-9]\d{0,8}$/.test(raw))
    throw new FleetError('VALIDATION_FAILED', `${ATTEMPT_HEADER}: the attempt the upload belongs to, a positive integer`, { field: ATTEMPT_HEADER });
  return Number(raw);
}
