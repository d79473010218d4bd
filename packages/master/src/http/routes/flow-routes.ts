import { Router } from 'express';
import { CreateBatchBodySchema, CreateInviteFlowBodySchema, parseOrThrow } from '@fleetwright/shared';
import type { ParentJobs } from '../../jobs/parent-jobs.js';

/** Batches and flows: parent jobs whose children do the work. */
export function flowRoutes(parents: ParentJobs): Router {
  const router = Router();
  router.post('/batches', async (req, res) => {
    const { job, created } = await parents.createBatch(parseOrThrow(CreateBatchBodySchema, req.body));
    res.status(created ? 201 : 200).json(job);
  });
  router.post('/flows/invite', async (req, res) => {
    const { job, created } = await parents.createInviteFlow(parseOrThrow(CreateInviteFlowBodySchema, req.body));
    res.status(created ? 201 : 200).json(job);
  });
  return router;
}
