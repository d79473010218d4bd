import express, { Router } from 'express';
import { FleetError } from '@fleetwright/shared';
import type { WorkerCredentialStore } from '../../store/worker-credential-store.js';
import type { ArtifactStore } from '../../store/artifact-store.js';
import type { FleetStore } from '../../store/fleet-store.js';

/** Downloads for clients: only a job's own recorded files, by name, with their content type. */
export function artifactDownloadRoutes(store: FleetStore, artifacts: ArtifactStore): Router {
  const router = Router();
  router.get('/jobs/:id/artifacts/:name', (req, res) => {
    store.jobs.require(req.params.id, 'id');
    artifacts.checkName(req.params.name);
    const row = artifacts.require(req.params.id, req.params.name);
    res.type(row.content_type);
    res.setHeader('content-disposition', `attachment; filename="${row.name}"`);
    res.setHeader('x-content-type-options', 'nosniff');
    res.sendFile(row.path);
  });
  return router;
}

/**
 * Uploads from workers: the fleet token, and only for a job that worker runs (or ran).
 * `PUT /api/v1/worker/jobs/:id/artifacts/:name` with the raw bytes.
 */
export function artifactUploadRoutes(store: FleetStore, artifacts: ArtifactStore, identities: Pick<WorkerCredentialStore, 'authenticate'>): Router {
  const router = Router();
  router.put('/worker/jobs/:id/artifacts/:name', express.raw({ type: () => true, limit: '64mb' }), (req, res) => {
    const token = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '')?.[1];
    const workerId = req.get('x-fleet-worker');
    if (!token || !workerId || !identities.authenticate(workerId, token)) throw new FleetError('UNAUTHORIZED', "artifact uploads need X-Fleet-Worker and that worker's credential");
    const job = store.jobs.require(req.params.id, 'id');
    if (job.worker_id !== workerId) throw new FleetError('NOT_OWNER', `job ${job.id} is not worker ${workerId}'s`, { field: 'id' });
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const row = artifacts.save(job.id, req.params.name, body);
    if (row.name === 'run.log') store.liveLogs.drop(job.id);
    res.status(201).json({ name: row.name, size: row.size, url: `/api/v1/jobs/${job.id}/artifacts/${encodeURIComponent(row.name)}` });
  });
  return router;
}
