import type { RequestHandler } from 'express';
import type { Health, HealthUnavailable, Logger } from '@fleetwright/shared';

/** How long `/health` waits for the fleet's counts before it answers 503. */
export const HEALTH_READ_TIMEOUT_MS = 2_000;

/**
 * `/health`: the fleet's counts (`read`), or, when they cannot be read within `timeoutMs` (the
 * database out of reach), 503 saying which master answered and whether it leads, so a load
 * balancer's check always gets an answer. Checks that come while a read is under way share it: a
 * database that does not answer holds one read, not one per check.
 */
export function healthRoute(
  read: () => Promise<Health>,
  masters: (() => Health['masters']) | undefined,
  logger: Logger,
  timeoutMs = HEALTH_READ_TIMEOUT_MS,
): RequestHandler {
  let reading: Promise<Health> | undefined;
  return async (_req, res) => {
    if (!reading) {
      const current = read().finally(() => {
        if (reading === current) reading = undefined;
      });
      reading = current;
    }
    let timer: NodeJS.Timeout | undefined;
    try {
      const late = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      });
      res.json(await Promise.race([reading, late]));
    } catch (error) {
      logger.warn('/health could not read the fleet from the database', { error });
      const body: HealthUnavailable = {
        status: 'unavailable',
        error: 'this master could not read the fleet from its database in time',
        ...(masters ? { masters: masters() } : {}),
      };
      res.status(503).json(body);
    } finally {
      clearTimeout(timer);
    }
  };
}
