import { describe, expect, it } from 'vitest';
import {
  CapabilitySchema,
  CreateBatchBodySchema,
  CreateInviteFlowBodySchema,
  CreateJobBodySchema,
  CreateMonitorBodySchema,
  JobCreateSchema,
  MAX_REPORTED_ERROR_MESSAGE,
  PAYLOAD_BOUNDS,
  StorageStateSchema,
  WorkerJobResultSchema,
  checkJsonBounds,
  jsonBoundsProblem,
  parseOrThrow,
} from '@fleetwright/shared';
import { fleetErrorOf } from './support/fleet-error-of.js';

/** `{ a: { a: … {} } }`, `levels` objects deep, built without recursion. */
function nested(levels: number): Record<string, unknown> {
  let value: Record<string, unknown> = {};
  for (let i = 1; i < levels; i += 1) value = { a: value };
  return value;
}

/** The same, parsed from JSON text, as a REST body or a socket frame arrives. */
function nestedFromJson(levels: number): Record<string, unknown> {
  return JSON.parse(`${'{"a":'.repeat(levels - 1)}{}${'}'.repeat(levels - 1)}`) as Record<string, unknown>;
}

const report = { jobId: 'job-1', accountId: 'acc-1', epoch: 1, attempt: 1 };

describe('jsonBoundsProblem', () => {
  it('counts bytes exactly as JSON.stringify writes them (escapes, UTF-8, dropped undefined)', () => {
    const values: unknown[] = [
      { a: 1, b: 'é😀\n"\\\u0001', c: [1, null, true, { d: new Date(0) }, undefined], e: undefined, f: () => 1 },
      [1, 2, [3, [4]]],
      'plain',
      -1.5e-7,
      { '': {}, ключ: [] },
      '\ud800 lone surrogate',
    ];
    for (const value of values) {
      const bytes = Buffer.byteLength(JSON.stringify(value));
      expect(jsonBoundsProblem(value, { maxDepth: 32, maxBytes: bytes })).toBeUndefined();
      expect(jsonBoundsProblem(value, { maxDepth: 32, maxBytes: bytes - 1 })).toMatchObject({ code: 'TOO_LARGE' });
    }
  });

  it('accepts 32 levels and refuses 33', () => {
    expect(jsonBoundsProblem(nested(32), PAYLOAD_BOUNDS)).toBeUndefined();
    expect(jsonBoundsProblem(nested(33), PAYLOAD_BOUNDS)).toEqual({ code: 'TOO_LARGE', message: 'is nested deeper than 32 levels' });
    expect(jsonBoundsProblem([[[[]]]], { maxDepth: 3, maxBytes: 100 })).toMatchObject({ code: 'TOO_LARGE' });
  });

  it('refuses a million levels and a cycle without walking them all', () => {
    expect(jsonBoundsProblem(nestedFromJson(1_000_000), PAYLOAD_BOUNDS)).toMatchObject({ code: 'TOO_LARGE' });
    const cycle: Record<string, unknown> = { name: 'loop' };
    cycle.self = cycle;
    expect(jsonBoundsProblem(cycle, PAYLOAD_BOUNDS)).toMatchObject({ code: 'TOO_LARGE' });
  });

  it('refuses values that are not JSON, as VALIDATION_FAILED', () => {
    expect(jsonBoundsProblem({ n: 10n }, PAYLOAD_BOUNDS)).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(jsonBoundsProblem({ bytes: Buffer.from('abc') }, PAYLOAD_BOUNDS)).toEqual({ code: 'VALIDATION_FAILED', message: 'is not JSON (a Buffer)' });
    expect(jsonBoundsProblem({ map: new Map() }, PAYLOAD_BOUNDS)).toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});

describe('checkJsonBounds (for a plugin result on the worker)', () => {
  it('throws TOO_LARGE naming the field for a value too deep or too big, and passes one within bounds', () => {
    const deep = fleetErrorOf(() => checkJsonBounds(nested(40), 'result'));
    expect(deep.toJSON()).toEqual({ code: 'TOO_LARGE', message: 'result: is nested deeper than 32 levels', field: 'result', retryable: false });
    expect(deep.status).toBe(413);
    const big = fleetErrorOf(() => checkJsonBounds({ html: 'x'.repeat(300 * 1024) }, 'result', { maxDepth: 32, maxBytes: 256 * 1024 }));
    expect(big).toMatchObject({ code: 'TOO_LARGE', field: 'result', message: 'result: is bigger than 256 KB as JSON' });
    expect(() => checkJsonBounds({ posts: [{ id: 1, text: 'hi' }] }, 'result')).not.toThrow();
  });
});

describe('schemas that carry free-form JSON bound it, naming the field', () => {
  const deep = nestedFromJson(3_900);
  const big = { blob: 'x'.repeat(PAYLOAD_BOUNDS.maxBytes) };

  it.each([
    ['POST /jobs payload', CreateJobBodySchema, (p: unknown) => ({ type: 'login', accountId: 'acc-1', payload: p }), 'payload'],
    ['/client job:create payload', JobCreateSchema, (p: unknown) => ({ type: 'login', accountId: 'acc-1', payload: p }), 'payload'],
    [
      'a batch child payload',
      CreateBatchBodySchema,
      (p: unknown) => ({
        children: [
          { type: 'login', accountId: 'acc-1' },
          { type: 'login', accountId: 'acc-1', payload: p },
        ],
      }),
      'children.1.payload',
    ],
    [
      'a flow invitePayload',
      CreateInviteFlowBodySchema,
      (p: unknown) => ({ ownerAccountId: 'acc-1', members: [{ accountId: 'acc-2', email: 'b@example.com' }], invitePayload: p }),
      'invitePayload',
    ],
    ['a monitor payload', CreateMonitorBodySchema, (p: unknown) => ({ accountId: 'acc-1', payload: p }), 'payload'],
    ['a worker job result', WorkerJobResultSchema, (p: unknown) => ({ ...report, status: 'succeeded', result: p }), 'result'],
    ['a capability payload schema', CapabilitySchema, (p: unknown) => ({ platform: 'sandbox', jobTypes: ['login'], payloadSchemas: p }), 'payloadSchemas'],
  ] as const)('%s: too deep or too big is TOO_LARGE on %s', (_what, schema, body, field) => {
    for (const value of [deep, big]) {
      const error = fleetErrorOf(() => parseOrThrow(schema, body(value)));
      expect(error.code).toBe('TOO_LARGE');
      expect(error.field).toBe(field);
      expect(error.message).toMatch(new RegExp(`^${field.replace(/\./g, '\\.')}: is (nested deeper than 32 levels|bigger than 256 KB as JSON)$`));
    }
    expect(() => parseOrThrow(schema, body(nested(32)))).not.toThrow();
  });

  it('keeps a payload within bounds as it was', () => {
    const payload = { method: 'password', list: [1, 'two', { three: null }], deep: nested(30) };
    expect(parseOrThrow(CreateJobBodySchema, { type: 'login', accountId: 'acc-1', payload }).payload).toEqual(payload);
  });

  it('refuses a result that is a Buffer (a binary socket attachment), naming result', () => {
    const error = fleetErrorOf(() => parseOrThrow(WorkerJobResultSchema, { ...report, status: 'succeeded', result: { file: Buffer.alloc(16) } }));
    expect(error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'result' });
  });

  it('bounds each cookie of a storage state', () => {
    const cookie = { name: 'sid', value: 'x'.repeat(70 * 1024), domain: 'example.com', path: '/' };
    const error = fleetErrorOf(() => parseOrThrow(StorageStateSchema, { cookies: [cookie], origins: [] }));
    expect(error).toMatchObject({ code: 'TOO_LARGE', field: 'cookies.0' });
  });

  it("cuts a worker's failure message to a bounded length instead of refusing the report", () => {
    const parsed = parseOrThrow(WorkerJobResultSchema, { ...report, status: 'failed', error: { code: 'PLATFORM_ERROR', message: 'm'.repeat(100_000) } });
    expect(parsed.status === 'failed' && parsed.error.message.length).toBe(MAX_REPORTED_ERROR_MESSAGE + 1);
  });
});
