import type { ErrorRequestHandler, RequestHandler } from 'express';
import { FleetError, type Logger } from '@fleetwright/shared';

export const notFound: RequestHandler = (req, _res, next) => {
  next(new FleetError('NOT_FOUND', `no route ${req.method} ${req.path}`));
};

/** Every error leaves as `{ code, message, field? }` with the code's HTTP status. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, _req, res, _next) => {
    let fleetError: FleetError;
    const e = error as { type?: string; status?: number; message?: string } | undefined;
    if (e?.type === 'entity.parse.failed') fleetError = new FleetError('VALIDATION_FAILED', 'body: not valid JSON', { field: 'body' });
    else if (e?.type === 'entity.too.large') fleetError = new FleetError('TOO_LARGE', 'body: too large', { field: 'body' });
    // The router could not percent-decode a path segment (`/accounts/%E0%A4%A`): the client's mistake.
    else if (e?.status === 400 && e.message?.startsWith('Failed to decode param'))
      fleetError = new FleetError('VALIDATION_FAILED', 'path: a parameter is not valid percent-encoding', { field: 'path' });
    else if (!(error instanceof FleetError) && e?.status !== undefined && e.status >= 400 && e.status < 500)
      fleetError = new FleetError('VALIDATION_FAILED', `request: ${e.message ?? 'refused'}`);
    else fleetError = FleetError.from(error);
    if (fleetError.code === 'INTERNAL_ERROR') logger.error('request failed', { error });
    const { retryable: _retryable, ...body } = fleetError.toJSON();
    res.status(fleetError.status).json(body);
  };
}
