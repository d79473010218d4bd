import express, { type Request } from 'express';
import { z } from 'zod';

/** The first problem in a zod failure, as the field it is about and a message that names it. */
export interface FieldProblem {
  field: string | undefined;
  message: string;
}

export function firstProblem(error: z.ZodError): FieldProblem {
  const issue = error.issues[0];
  if (!issue) return { field: undefined, message: 'invalid body' };
  // A strict object reports an unexpected key at the root; naming the key is what helps the caller.
  const path = issue.code === 'unrecognized_keys' ? [...issue.path, ...issue.keys.slice(0, 1)] : issue.path;
  const field = path.map(String).join('.') || undefined;
  return { field, message: issue.message };
}

/** Form posts from the pages: small bodies, flat fields. */
export const formBody = express.urlencoded({ extended: false, limit: '100kb' });

export type FormResult<T> = { ok: true; data: T } | ({ ok: false } & FieldProblem);

/** Parses a form post. Forms use non-strict schemas: browsers may add fields such as a named submit button. */
export function parseForm<S extends z.ZodType>(schema: S, req: Request): FormResult<z.output<S>> {
  const parsed = schema.safeParse(req.body ?? {});
  if (parsed.success) return { ok: true, data: parsed.data };
  return { ok: false, ...firstProblem(parsed.error) };
}

/** What people type into a reply or message box: trimmed, not empty, not huge. */
export const PostedText = (max = 5000) =>
  z
    .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be text') })
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`);
