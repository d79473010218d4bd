import type { RequestHandler } from 'express';
import { FleetError, tokensEqual } from '@fleetwright/shared';
import type { FleetMetrics } from './fleet-metrics.js';

/**
 * `GET /metrics`: public by default, like `/health` (Prometheus scrapes without a token): it holds
 * counts, worker ids and job types, never a secret. With `token` (FLEET_METRICS_TOKEN) set, a scrape
 * needs `Authorization: Bearer <token>` (Prometheus's `authorization` scrape option).
 */
export function metricsRoute(metrics: FleetMetrics, token?: string): RequestHandler {
  return (req, res, next) => {
    if (token) {
      const presented = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '')?.[1];
      if (!presented || !tokensEqual(presented, token)) {
        next(new FleetError('UNAUTHORIZED', '/metrics needs Authorization: Bearer <FLEET_METRICS_TOKEN>'));
        return;
      }
    }
    metrics.render().then((text) => {
      res.type(metrics.contentType).send(text);
    }, next);
  };
}
