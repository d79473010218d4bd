import type { z } from 'zod';
import { FleetError } from './fleet-error.js';
import type { ErrorCode } from './error-codes.js';

/** Dotted path of the first issue (`credentials.password`, `items.2.id`), or undefined at the root. */
export function issuePath(error: z.ZodError): string | undefined {
  const issue = error.issues[0];
  if (!issue || issue.path.length === 0) return undefined;
  return issue.path.map(String).join('.');
}

/** Turns a zod failure into a FleetError whose message and field name the first bad field. */
export function fleetErrorFromZod(error: z.ZodError, code: ErrorCode = 'VALIDATION_FAILED', prefix?: string): FleetError {
  const issue = error.issues[0];
  const local = issuePath(error);
  const field = prefix ? (local ? `${prefix}.${local}` : prefix) : local;
  const what = field ?? 'body';
  const message = `${what}: ${issue?.message ?? 'invalid value'}`;
  return new FleetError(code, message, field === undefined ? {} : { field });
}

/** Parses `value` with `schema` or throws a FleetError naming the first bad field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, code: ErrorCode = 'VALIDATION_FAILED', prefix?: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw fleetErrorFromZod(parsed.error, code, prefix);
  return parsed.data;
}
