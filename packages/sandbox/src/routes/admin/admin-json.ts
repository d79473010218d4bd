import type { Request, Response } from 'express';
import type { z } from 'zod';
import type { SandboxStore, SandboxUser } from '../../store/sandbox-store.js';
import { firstProblem } from '../validation.js';

/** Every error code the admin JSON endpoints answer with, and its HTTP status. */
export const ADMIN_ERROR_STATUS = {
  VALIDATION_FAILED: 400,
  UNAUTHORIZED: 401,
  NOT_FOUND: 404,
  CONFLICT: 409,
  TEAM_FULL: 409,
  QR_EXPIRED: 410,
  QR_CONSUMED: 410,
} as const;

export type AdminErrorCode = keyof typeof ADMIN_ERROR_STATUS;

/** Answers `{ code, message, field }`; `field` is left out when the error is not about one. */
export function sendAdminError(res: Response, code: AdminErrorCode, message: string, field?: string): void {
  res.status(ADMIN_ERROR_STATUS[code]).json({ code, message, field });
}

/** 400 with the message prefixed by the field, as the first admin endpoints always answered. */
export function badRequest(res: Response, field: string | undefined, message: string): void {
  sendAdminError(res, 'VALIDATION_FAILED', field ? `${field}: ${message}` : message, field);
}

export function notFound(res: Response, field: string, message: string): void {
  sendAdminError(res, 'NOT_FOUND', message, field);
}

/** The parsed body, or undefined after answering 400 naming the first bad field. */
export function parseJson<S extends z.ZodType>(schema: S, req: Request, res: Response): z.output<S> | undefined {
  const parsed = schema.safeParse(req.body ?? {});
  if (parsed.success) return parsed.data;
  const problem = firstProblem(parsed.error);
  badRequest(res, problem.field, problem.message);
  return undefined;
}

/** The user named by handle or email, or undefined after answering 404 naming `field`. */
export function userOr404(store: SandboxStore, res: Response, login: string, field: string): SandboxUser | undefined {
  const user = store.findUserByLogin(login);
  if (!user) notFound(res, field, `${field}: no user ${login}`);
  return user;
}
