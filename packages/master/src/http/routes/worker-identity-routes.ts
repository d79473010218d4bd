import express, { Router } from 'express';
import { z } from 'zod';
import { FleetError, IdSchema, parseOrThrow } from '@fleetwright/shared';
import type { WorkerCredentialsBackend } from '../../store/backend/worker-credentials-backend.js';
import type { WorkerLinks } from '../../scheduler/worker-links.js';

const EnrollBodySchema = z.strictObject({ workerId: IdSchema });

/**
 * `POST /api/v1/worker/enroll` with the fleet token: a worker id's own credential, issued once.
 * Workers call it themselves on first start (no step for the user), before the API token check.
 */
export function workerEnrollRoutes(identities: WorkerCredentialsBackend): Router {
  const router = Router();
  router.post('/worker/enroll', express.json({ limit: '4kb' }), async (req, res) => {
    const token = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '')?.[1];
    if (!token || !identities.isFleetToken(token))
      throw new FleetError('UNAUTHORIZED', 'enrollment needs the fleet token (Authorization: Bearer <FLEET_WORKER_TOKEN>)');
    const body = parseOrThrow(EnrollBodySchema, req.body);
    const credential = await identities.enroll(body.workerId, token);
    res.status(201).json({ workerId: body.workerId, credential });
  });
  return router;
}

/** `DELETE /api/v1/workers/:id/credential` (admins): the credential stops working and its worker is disconnected. */
export function workerCredentialRoutes(identities: WorkerCredentialsBackend, links: Pick<WorkerLinks, 'disconnect'>): Router {
  const router = Router();
  router.delete('/workers/:id/credential', async (req, res) => {
    if (res.locals.role !== 'admin') throw new FleetError('FORBIDDEN', 'only an admin token revokes a worker credential');
    if (!(await identities.revoke(req.params.id))) throw new FleetError('NOT_FOUND', `worker ${req.params.id} has no credential`, { field: 'id' });
    links.disconnect(req.params.id);
    res.status(204).end();
  });
  return router;
}
