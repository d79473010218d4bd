import { z } from 'zod';
import { FleetError } from '../errors/fleet-error.js';
import type { ErrorCode } from '../errors/error-codes.js';

/**
 * Free-form JSON that crosses an edge (a job's payload, a plugin's result) is bounded in depth and
 * in serialized size, so that one hostile value can neither blow the stack of whoever walks it
 * later (JSON.stringify, a view, a redactor) nor fill the database and every list that shows it.
 */
export interface JsonBounds {
  /** Nesting levels of arrays and objects; the value itself is level 1. @defaultValue 32 */
  maxDepth: number;
  /** Bytes of the value's JSON text (UTF-8). */
  maxBytes: number;
}

export const JSON_MAX_DEPTH = 32;
/** A job's payload (`payload`, `invitePayload`, a monitor's payload). */
export const PAYLOAD_BOUNDS: JsonBounds = { maxDepth: JSON_MAX_DEPTH, maxBytes: 256 * 1024 };
/** A job's result, as the plugin returned it and the worker reports it. */
export const RESULT_BOUNDS: JsonBounds = { maxDepth: JSON_MAX_DEPTH, maxBytes: 256 * 1024 };
/** The JSON Schemas a worker's plugin declares for its payloads. */
export const PAYLOAD_SCHEMA_BOUNDS: JsonBounds = { maxDepth: JSON_MAX_DEPTH, maxBytes: 256 * 1024 };
/** One cookie of a storage state (browsers keep cookies under 4 KB). */
export const COOKIE_BOUNDS: JsonBounds = { maxDepth: 4, maxBytes: 64 * 1024 };
/** One IndexedDB database of a storage state (its stores and records, as Playwright serializes them). */
export const INDEXED_DB_BOUNDS: JsonBounds = { maxDepth: JSON_MAX_DEPTH, maxBytes: 4 * 1024 * 1024 };

/** What is wrong with a value: too deep or too big (`TOO_LARGE`), or not JSON at all. */
export interface JsonBoundsProblem {
  code: Extract<ErrorCode, 'TOO_LARGE' | 'VALIDATION_FAILED'>;
  message: string;
}

const KB = 1024;

/**
 * Why `value` is out of `bounds`, or undefined when it is within them. It walks the value without
 * recursion and stops at the first level past `maxDepth` or the first byte past `maxBytes`, so its
 * cost is bounded by the limits, not by the value: a cycle or a value a million levels deep is
 * refused as cheaply as one level too many. Sizes are counted as JSON.stringify would write them
 * (undefined and functions dropped from objects, null in arrays, a Date as its ISO string).
 */
export function jsonBoundsProblem(value: unknown, bounds: JsonBounds): JsonBoundsProblem | undefined {
  const tooBig = (): JsonBoundsProblem => ({ code: 'TOO_LARGE', message: `is bigger than ${formatBytes(bounds.maxBytes)} as JSON` });
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  let bytes = 0;
  while (stack.length > 0) {
    const { value: v, depth } = stack.pop()!;
    if (v === null || v === undefined || typeof v === 'function' || typeof v === 'symbol') bytes += 4;
    else if (typeof v === 'boolean') bytes += v ? 4 : 5;
    else if (typeof v === 'number') bytes += Number.isFinite(v) ? String(v).length : 4;
    else if (typeof v === 'string') {
      // Each character takes at least one byte: a string longer than what is left is over at once.
      if (v.length + 2 > bounds.maxBytes - bytes) return tooBig();
      bytes += jsonStringBytes(v);
    } else if (typeof v === 'bigint') return { code: 'VALIDATION_FAILED', message: 'is not JSON (a bigint)' };
    else if (v instanceof Date) bytes += 26;
    else if (Array.isArray(v)) {
      if (depth + 1 > bounds.maxDepth) return tooDeep(bounds);
      bytes += 2 + Math.max(0, v.length - 1);
      if (bytes > bounds.maxBytes) return tooBig();
      for (let i = v.length - 1; i >= 0; i -= 1) stack.push({ value: v[i], depth: depth + 1 });
    } else if (isPlainObject(v)) {
      if (depth + 1 > bounds.maxDepth) return tooDeep(bounds);
      bytes += 2;
      let first = true;
      for (const key of Object.keys(v)) {
        const child = v[key];
        if (child === undefined || typeof child === 'function' || typeof child === 'symbol') continue;
        bytes += (first ? 0 : 1) + jsonStringBytes(key) + 1;
        first = false;
        if (bytes > bounds.maxBytes) return tooBig();
        stack.push({ value: child, depth: depth + 1 });
      }
    } else return { code: 'VALIDATION_FAILED', message: `is not JSON (a ${(v as object).constructor?.name ?? typeof v})` };
    if (bytes > bounds.maxBytes) return tooBig();
  }
  return undefined;
}

/**
 * Throws a FleetError naming `field` when `value` is out of `bounds`: `TOO_LARGE` when it is too
 * deep or too big, `VALIDATION_FAILED` when it is not JSON. For the worker, on a plugin's result
 * before it is reported, and for anything else that is handed a value outside a schema.
 */
export function checkJsonBounds(value: unknown, field: string, bounds: JsonBounds = PAYLOAD_BOUNDS): void {
  const problem = jsonBoundsProblem(value, bounds);
  if (problem) throw new FleetError(problem.code, `${field}: ${problem.message}`, { field });
}

/**
 * Adds the bounds to a schema. The issue carries its error code in `params.fleetCode`, so that
 * `parseOrThrow` answers `TOO_LARGE` (413) for a value too deep or too big, with the field.
 */
function withBounds<S extends z.ZodType>(schema: S, bounds: JsonBounds): S {
  return schema.superRefine((value, ctx) => {
    const problem = jsonBoundsProblem(value, bounds);
    if (problem) ctx.addIssue({ code: 'custom', message: problem.message, params: { fleetCode: problem.code } });
  }) as unknown as S;
}

/** Any JSON value within `bounds` (a job's result). */
export function boundedJson(bounds: JsonBounds): z.ZodType<unknown> {
  return withBounds(z.unknown(), bounds);
}

/** A JSON object within `bounds` (a job's payload). */
export function boundedJsonRecord(bounds: JsonBounds): z.ZodType<Record<string, unknown>, Record<string, unknown>> {
  return withBounds(z.record(z.string(), z.unknown()), bounds);
}

/** Bytes of `text` once written as a JSON string (quotes, escapes and UTF-8 included). */
function jsonStringBytes(text: string): number {
  let bytes = 2;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (c === 0x22 || c === 0x5c || c === 0x08 || c === 0x0c || c === 0x0a || c === 0x0d || c === 0x09) bytes += 2;
    else if (c < 0x20) bytes += 6;
    else if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i += 1;
    } else if (c >= 0xd800 && c <= 0xdfff)
      bytes += 6; // a lone surrogate is written as \udxxx
    else bytes += 3;
  }
  return bytes;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function tooDeep(bounds: JsonBounds): JsonBoundsProblem {
  return { code: 'TOO_LARGE', message: `is nested deeper than ${bounds.maxDepth} levels` };
}

function formatBytes(bytes: number): string {
  return bytes % KB === 0 ? `${bytes / KB} KB` : `${bytes} bytes`;
}
