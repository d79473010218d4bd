import type { z } from 'zod';
import { FleetError } from './fleet-error.js';
import { isErrorCode, type ErrorCode } from './error-codes.js';

/**
 * Dotted path of the first issue (`credentials.password`, `items.2.id`); for an unknown key, the
 * key itself (`nickname`); undefined when the whole value is wrong.
 */
export function issuePath(error: z.ZodError): string | undefined {
  const issue = error.issues[0];
  if (!issue) return undefined;
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys' && issue.keys[0] !== undefined) path.push(issue.keys[0]);
  return path.length === 0 ? undefined : path.join('.');
}

/** Turns a zod failure into a FleetError whose message and field name the first bad field. */
export function fleetErrorFromZod(error: z.ZodError, code: ErrorCode = 'VALIDATION_FAILED', prefix?: string): FleetError {
  const issue = error.issues[0];
  const local = issuePath(error);
  // A wrong whole value (not an object at all) is blamed on the body, so `field` is always set.
  const field = prefix ? (local ? `${prefix}.${local}` : prefix) : (local ?? 'body');
  const problem = issue?.code === 'unrecognized_keys' ? 'unknown field' : (issue?.message ?? 'invalid value');
  // A check that knows its own code (a bounded JSON value too deep or too big: TOO_LARGE) keeps it.
  const own: unknown = issue?.code === 'custom' ? issue.params?.fleetCode : undefined;
  return new FleetError(isErrorCode(own) ? own : code, `${field}: ${problem}`, { field });
}

/** Parses `value` with `schema` or throws a FleetError naming the first bad field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, code: ErrorCode = 'VALIDATION_FAILED', prefix?: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw fleetErrorFromZod(parsed.error, code, prefix);
  return parsed.data;
}
