import { fleetErrorOf } from './support/fleet-error-of.js';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import {
  CreateAccountBodySchema,
  ERROR_CODES,
  ERROR_CODE_NAMES,
  FleetError,
  JOB_ERROR_CLASSES,
  errorClassOf,
  fleetErrorFromZod,
  isErrorCode,
  parseOrThrow,
  type ErrorCode,
} from '@fleetwright/shared';

const ERRORS_DOC = fileURLToPath(new URL('../../../docs/errors.md', import.meta.url));

/** Calls `fn` and returns the FleetError it throws. */

describe('errorClassOf', () => {
  it("gives a known code its table class and a plugin's own code 'internal'", () => {
    expect(errorClassOf('AUTH_FAILED')).toBe('auth');
    expect(errorClassOf('SELECTOR_NOT_FOUND')).toBe('selector');
    expect(errorClassOf('ACME_QUOTA_EXCEEDED')).toBe('internal');
  });
});

describe('FleetError', () => {
  it('takes status, retryability and class from the code table', () => {
    const error = new FleetError('NETWORK_ERROR', 'proxy refused');
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('FleetError');
    expect(error.status).toBe(502);
    expect(error.retryable).toBe(true);
    expect(error.errorClass).toBe('network');
    expect(new FleetError('AUTH_FAILED', 'x').retryable).toBe(false);
  });

  it('lets the thrower override retryability', () => {
    expect(new FleetError('SELECTOR_NOT_FOUND', 'gone for good', { retryable: false }).retryable).toBe(false);
  });

  it('survives a JSON round trip with code, message, field and retryable', () => {
    const original = new FleetError('VALIDATION_FAILED', 'credentials.password: too short', { field: 'credentials.password', retryable: true });
    const wire = JSON.parse(JSON.stringify(original)) as unknown;
    expect(wire).toEqual({ code: 'VALIDATION_FAILED', message: 'credentials.password: too short', field: 'credentials.password', retryable: true });
    const rebuilt = FleetError.fromJSON(wire);
    expect(rebuilt).toBeInstanceOf(FleetError);
    expect(rebuilt.code).toBe('VALIDATION_FAILED');
    expect(rebuilt.message).toBe('credentials.password: too short');
    expect(rebuilt.field).toBe('credentials.password');
    expect(rebuilt.retryable).toBe(true);
    expect(rebuilt.status).toBe(400);
  });

  it('leaves field out of the JSON when there is none', () => {
    expect(new FleetError('TIMEOUT', 'slow').toJSON()).toEqual({ code: 'TIMEOUT', message: 'slow', retryable: true });
  });

  it('rebuilds an unknown code as INTERNAL_ERROR and keeps the message', () => {
    const rebuilt = FleetError.fromJSON({ code: 'MADE_UP_CODE', message: 'from an older worker' });
    expect(rebuilt.code).toBe('INTERNAL_ERROR');
    expect(rebuilt.message).toBe('from an older worker');
    expect(rebuilt.retryable).toBe(false);
  });

  it('rebuilds shapes that are not error objects as INTERNAL_ERROR', () => {
    expect(FleetError.fromJSON('plain string')).toMatchObject({ code: 'INTERNAL_ERROR', message: 'plain string' });
    expect(FleetError.fromJSON(null).code).toBe('INTERNAL_ERROR');
    expect(FleetError.fromJSON({ code: 'TIMEOUT' })).toMatchObject({ code: 'TIMEOUT', message: 'unknown error', retryable: true });
    expect(FleetError.fromJSON({ code: 'toString', message: 'prototype key' }).code).toBe('INTERNAL_ERROR');
  });

  it('wraps a foreign error with its cause and keeps a FleetError as it is', () => {
    const fleet = new FleetError('LOCK_LOST', 'lost');
    expect(FleetError.from(fleet)).toBe(fleet);
    const cause = new TypeError('boom');
    const wrapped = FleetError.from(cause, 'BROWSER_CRASHED');
    expect(wrapped).toMatchObject({ code: 'BROWSER_CRASHED', message: 'boom', retryable: true });
    expect(wrapped.cause).toBe(cause);
    expect(FleetError.from('text').code).toBe('INTERNAL_ERROR');
  });

  it('recognizes only the codes of the table', () => {
    expect(isErrorCode('NOT_FOUND')).toBe(true);
    expect(isErrorCode('not_found')).toBe(false);
    expect(isErrorCode('constructor')).toBe(false);
    expect(isErrorCode(404)).toBe(false);
  });
});

describe('zod failures as FleetErrors', () => {
  it('names a nested bad field with a dotted path', () => {
    const error = fleetErrorOf(() => parseOrThrow(CreateAccountBodySchema, { platform: 'sandbox', credentials: { username: 'alice' } }));
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.field).toBe('credentials.password');
    expect(error.message).toMatch(/^credentials\.password: /);
  });

  it('includes array indexes in the path', () => {
    const schema = z.object({ items: z.array(z.object({ id: z.string() })) });
    const result = schema.safeParse({ items: [{ id: 'a' }, { id: 'b' }, { id: 3 }] });
    expect(result.success).toBe(false);
    if (!result.success) expect(fleetErrorFromZod(result.error).field).toBe('items.2.id');
  });

  it('uses the given code and prefixes the path', () => {
    const result = z.object({ url: z.string() }).safeParse({ url: 1 });
    if (result.success) throw new Error('expected a failure');
    const error = fleetErrorFromZod(result.error, 'PAYLOAD_INVALID', 'payload');
    expect(error).toMatchObject({ code: 'PAYLOAD_INVALID', field: 'payload.url' });
    expect(error.message).toMatch(/^payload\.url: /);
    expect(error.status).toBe(400);
  });

  it('names the body as the field when the root itself is wrong', () => {
    const error = fleetErrorOf(() => parseOrThrow(CreateAccountBodySchema, 'not an object'));
    expect(error.field).toBe('body');
    expect(error.message).toMatch(/^body: /);
  });

  it('returns the parsed value when it is valid', () => {
    expect(parseOrThrow(z.object({ n: z.coerce.number() }), { n: '5' })).toEqual({ n: 5 });
  });
});

describe('docs/errors.md', () => {
  const rows = new Map<string, string[]>();
  const duplicated: string[] = [];
  for (const line of fs.readFileSync(ERRORS_DOC, 'utf8').split('\n')) {
    const match = /^\|\s*`([A-Z0-9_]+)`\s*\|(.*)\|\s*$/.exec(line);
    if (!match?.[1] || match[2] === undefined) continue;
    if (rows.has(match[1])) duplicated.push(match[1]);
    rows.set(
      match[1],
      match[2].split('|').map((cell) => cell.trim()),
    );
  }

  it('has one row per code', () => {
    expect(rows.size).toBeGreaterThan(0);
    expect(duplicated).toEqual([]);
  });

  it('documents every code of ERROR_CODES in a table row', () => {
    const missing = ERROR_CODE_NAMES.filter((code) => !rows.has(code));
    expect(missing).toEqual([]);
  });

  it('documents no code that ERROR_CODES does not have', () => {
    const unknown = [...rows.keys()].filter((code) => !isErrorCode(code));
    expect(unknown).toEqual([]);
  });

  it('gives each code the HTTP status, retryability and class of the table, and a meaning', () => {
    for (const [code, cells] of rows) {
      if (!isErrorCode(code)) continue;
      const info = ERROR_CODES[code as ErrorCode];
      const [status, retryable, errorClass, meaning] = cells;
      expect({ code, status, retryable, errorClass }).toEqual({
        code,
        status: String(info.status),
        retryable: info.retryable ? 'yes' : 'no',
        errorClass: info.errorClass,
      });
      expect(meaning?.length ?? 0, `${code} has no meaning`).toBeGreaterThan(10);
    }
  });

  it('only uses the known job failure classes', () => {
    for (const info of Object.values(ERROR_CODES)) expect(JOB_ERROR_CLASSES).toContain(info.errorClass);
  });
});
