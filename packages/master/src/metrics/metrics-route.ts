import type { RequestHandler } from 'express';
import type { FleetMetrics } from './fleet-metrics.js';

/**
 * `GET /metrics`: no token, like `/health` (Prometheus scrapes without one). It holds counts,
 * worker ids and job types, never a secret; keep it off the public internet (docs/operations.md).
 */
export function metricsRoute(metrics: FleetMetrics): RequestHandler {
  return (_req, res, next) => {
    metrics.render().then((text) => {
      res.type(metrics.contentType).send(text);
    }, next);
  };
}
