import { Readable } from 'node:stream';
import { FleetError, type Logger } from '@fleetwright/shared';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

/** Where a write goes: this master (it leads, or leads alone), the leader's base URL, or nowhere yet. */
export type WriteTarget = () => Promise<'self' | string | undefined>;

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Marks a forwarded request, so a master that lost the lead meanwhile answers instead of forwarding on. */
export const FORWARDED_BY = 'x-fleet-forwarded-by';
/** Headers of one hop, never passed on (RFC 9110 7.6.1), plus what fetch sets itself. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'host', 'content-length']);

/**
 * With several masters, only the leader decides: a write (any method but GET, HEAD, OPTIONS) that
 * reaches another master is passed to the leader as it came, and the leader's answer is passed back.
 * So REST answers on every master. No leader yet (a takeover in progress): 503 NOT_LEADER, retryable.
 */
export function forwardWritesToLeader(target: WriteTarget, selfId: string, logger: Logger): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    if (READS.has(req.method)) return next();
    void forward(req, res, next, target, selfId, logger);
  };
}

async function forward(req: Request, res: Response, next: NextFunction, target: WriteTarget, selfId: string, logger: Logger): Promise<void> {
  try {
    const to = await target();
    if (to === 'self') return next();
    if (!to || req.headers[FORWARDED_BY])
      throw new FleetError('NOT_LEADER', 'no master leads the fleet right now (a takeover is in progress): try again in a few seconds');
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value === undefined || HOP_BY_HOP.has(name)) continue;
      headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    headers.set(FORWARDED_BY, selfId);
    headers.set('x-forwarded-for', req.ip ?? '');
    const upstream = await fetch(new URL(req.originalUrl, to), {
      method: req.method,
      headers,
      body: Readable.toWeb(req) as ReadableStream,
      duplex: 'half',
      redirect: 'manual',
      signal: AbortSignal.timeout(60_000),
    } as RequestInit);
    res.status(upstream.status);
    upstream.headers.forEach((value, name) => {
      if (!HOP_BY_HOP.has(name) && name !== 'content-encoding') res.setHeader(name, value);
    });
    const cookies = upstream.headers.getSetCookie();
    if (cookies.length > 0) res.setHeader('set-cookie', cookies);
    if (!upstream.body) {
      res.end();
      return;
    }
    Readable.fromWeb(upstream.body as import('node:stream/web').ReadableStream).pipe(res);
  } catch (error) {
    if (!(error instanceof FleetError)) logger.warn('could not forward a write to the leader', { method: req.method, path: req.path, error });
    next(error instanceof FleetError ? error : new FleetError('NOT_LEADER', 'the leader did not answer a forwarded write; try again'));
  }
}
