import { FleetError } from '../errors/fleet-error.js';
import { parseOrThrow } from '../errors/zod-error.js';
import type { Ack } from '../schemas/common.js';
import type { Logger } from '../logging/logger.js';
import { RequestSchemas, type RequestName, type RequestReply, type ValidatedPayload } from './request-map.js';

/** The side of a socket that receives `E` (a Socket.IO socket of either end whose listen map has it). */
export interface ListeningSocket<E extends string> {
  // `any`: Socket.IO's listener types differ per end; the event map already typed the name.
  on(event: E, listener: (...args: any[]) => void): unknown;
}

/** An event without data in its ack may be handled by a function that returns nothing. */
export type HandlerResult<R> = undefined extends R ? unknown : R | Promise<R>;

/**
 * Handles `event` on `socket`: validates the payload with the event's own schema, runs the
 * handler, and always acknowledges with `{ ok, data }` or `{ ok: false, error }`. A sender's
 * mistake never throws past here (its error names the bad field), and the connection stays up.
 */
export function onValidated<E extends RequestName>(
  socket: ListeningSocket<NoInfer<E>>,
  event: E,
  handler: (payload: ValidatedPayload<E>) => HandlerResult<RequestReply<E>>,
  logger: Logger,
): void {
  const schema = RequestSchemas[event];
  socket.on(event, (payload: unknown, ack?: unknown) => {
    const reply = typeof ack === 'function' ? (ack as (response: Ack<unknown>) => void) : () => undefined;
    void (async () => {
      try {
        const data = parseOrThrow(schema, payload) as ValidatedPayload<E>;
        reply({ ok: true, data: await handler(data) });
      } catch (error) {
        const fleetError = FleetError.from(error);
        if (fleetError.code === 'INTERNAL_ERROR') logger.error('socket handler failed', { event, error });
        reply({ ok: false, error: fleetError.toJSON() });
      }
    })();
  });
}
