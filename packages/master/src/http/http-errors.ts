import type { ErrorRequestHandler, RequestHandler } from 'express';
import { FleetError, type Logger } from '@fleetwright/shared';

export const notFound: RequestHandler = (req, _res, next) => {
  next(new FleetError('NOT_FOUND', `no route ${req.method} ${req.path}`));
};

/** Every error leaves as `{ code, message, field? }` with the code's HTTP status. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, _req, res, _next) => {
    let fleetError: FleetError;
    const e = error as { type?: string; status?: number } | undefined;
    if (e?.type === 'entity.parse.failed') fleetError = new FleetError('VALIDATION_FAILED', 'body: not valid JSON', { field: 'body' });
    else if (e?.type === 'entity.too.large') fleetError = new FleetError('VALIDATION_FAILED', 'body: too large', { field: 'body' });
    else fleetError = FleetError.from(error);
    if (fleetError.code === 'INTERNAL_ERROR') logger.error('request failed', { error });
    const { retryable: _retryable, ...body } = fleetError.toJSON();
    res.status(fleetError.status).json(body);
  };
}
