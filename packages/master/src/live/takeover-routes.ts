import { Router, type Response } from 'express';
import { FleetError } from '@fleetwright/shared';
import type { Requester } from './live-sockets.js';
import type { Takeovers } from './takeovers.js';

function requester(res: Response): Requester {
  const { tokenId, role } = res.locals;
  if (!tokenId || !role) throw new FleetError('UNAUTHORIZED', 'no token');
  return { tokenId, role };
}

/**
 * Claim (`POST`) and hand back (`DELETE`, the dashboard's "Done") an account's session; `GET`
 * says who holds it. Viewers are refused the changes (403) by the API's token check.
 */
export function takeoverRoutes(takeovers: Takeovers): Router {
  const router = Router();
  router.get('/accounts/:id/takeover', async (req, res) => {
    res.json(await takeovers.view(req.params.id));
  });
  router.post('/accounts/:id/takeover', async (req, res) => {
    res.json(await takeovers.claim(req.params.id, requester(res)));
  });
  router.delete('/accounts/:id/takeover', async (req, res) => {
    res.json(await takeovers.release(req.params.id, requester(res)));
  });
  return router;
}
