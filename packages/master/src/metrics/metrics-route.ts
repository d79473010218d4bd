import type { RequestHandler } from 'express';
import { FleetError, tokensEqual, type Logger } from '@fleetwright/shared';
import type { FleetMetrics } from './fleet-metrics.js';

/** How long a scrape waits for the store's figures before it answers 503. */
export const METRICS_READ_TIMEOUT_MS = 5_000;

/**
 * `GET /metrics`: public by default, like `/health` (Prometheus scrapes without a token): it holds
 * counts, worker ids and job types, never a secret. With `token` (FLEET_METRICS_TOKEN) set, a scrape
 * needs `Authorization: Bearer <token>` (Prometheus's `authorization` scrape option). Most figures
 * are read from the store: when it does not answer in time (a master cut off from its database)
 * or fails, the scrape gets 503 in bounded time rather than hanging or a 500, and Prometheus marks the target down; scrapes
 * that come while a reading is under way share it.
 */
export function metricsRoute(metrics: FleetMetrics, logger: Logger, token?: string, timeoutMs = METRICS_READ_TIMEOUT_MS): RequestHandler {
  let rendering: Promise<string> | undefined;
  return (req, res, next) => {
    if (token) {
      const presented = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '')?.[1];
      if (!presented || !tokensEqual(presented, token)) {
        next(new FleetError('UNAUTHORIZED', '/metrics needs Authorization: Bearer <FLEET_METRICS_TOKEN>'));
        return;
      }
    }
    if (!rendering) {
      const current = metrics.render().finally(() => {
        if (rendering === current) rendering = undefined;
      });
      rendering = current;
    }
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), timeoutMs);
    });
    Promise.race([rendering, late])
      .then(
        (text) => {
          if (text === 'late') res.status(503).type('text/plain').send(`the metrics could not be read from the database within ${timeoutMs} ms\n`);
          else res.type(metrics.contentType).send(text);
        },
        (error: unknown) => {
          logger.warn('/metrics could not read the fleet from the database', { error });
          res.status(503).type('text/plain').send('the metrics could not be read from the database\n');
        },
      )
      .finally(() => clearTimeout(timer));
  };
}
