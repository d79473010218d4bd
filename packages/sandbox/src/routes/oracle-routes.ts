import express, { type Router } from 'express';
import { findDuplicateReplies } from '../duplicate-reply-oracle.js';
import type { FenceOracle } from '../fence-oracle.js';
import type { SandboxStore } from '../store/sandbox-store.js';
import { acceptedReplies } from './accepted-replies.js';

/** The independent judges tests ask after a run: what the site saw, not what the fleet reports. */
export function oracleRoutes(store: SandboxStore, fence: FenceOracle): Router {
  const router = express.Router();
  router.get('/fence-violations', (_req, res) => {
    res.json({ requestsWithFence: fence.requestsWithFence, violations: fence.violations });
  });
  router.get('/duplicate-replies', (_req, res) => {
    res.json({ duplicates: findDuplicateReplies(store) });
  });
  router.get('/accepted-replies', acceptedReplies(store));
  return router;
}
