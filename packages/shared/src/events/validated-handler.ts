import type { z } from 'zod';
import { FleetError } from '../errors/fleet-error.js';
import { parseOrThrow } from '../errors/zod-error.js';
import type { Ack } from '../schemas/common.js';
import type { Logger } from '../logging/logger.js';

/**
 * Wraps a socket event handler: validates the payload with its schema, runs the handler, and
 * always acknowledges with `{ ok, data }` or `{ ok: false, error }`. A client's mistake never
 * throws past here, and the connection stays up.
 */
export function validated<S extends z.ZodType, R>(
  schema: S,
  handler: (payload: z.output<S>) => R | Promise<R>,
  logger: Logger,
  event: string,
): (payload: unknown, ack?: unknown) => void {
  return (payload: unknown, ack?: unknown) => {
    const reply = typeof ack === 'function' ? (ack as (response: Ack<R>) => void) : () => undefined;
    void (async () => {
      try {
        const data = parseOrThrow(schema, payload);
        reply({ ok: true, data: await handler(data) });
      } catch (error) {
        const fleetError = FleetError.from(error);
        if (fleetError.code === 'INTERNAL_ERROR') logger.error('socket handler failed', { event, error });
        reply({ ok: false, error: fleetError.toJSON() });
      }
    })();
  };
}
