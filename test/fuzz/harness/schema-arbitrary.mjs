// Turns a JSON Schema (the OpenAPI document's, or one that zod writes for a socket payload) into a
// fast-check arbitrary of mostly valid values with hostile ones mixed in at every level: wrong
// types, missing or unknown keys, values too deep or too big, strings that broke parsers before.
// Ids are not invented: they are `Pick`s resolved at send time against the ids the run has seen.
import fc from 'fast-check';

/** An id drawn at send time from one of the run's pools (accounts, jobs, …). */
export class Pick {
  constructor(pool, index) {
    this.pool = pool;
    this.index = index;
  }
}

/** A value too big or too deep to keep in a generated tree: built when the input is sent. */
export class Hostile {
  constructor(kind, size) {
    this.kind = kind;
    this.size = size;
  }
}

/** Strings that have crashed or slowed parsers, routers and redactors somewhere. */
export const NASTY_STRINGS = [
  '',
  ' ',
  '\u0000',
  '%',
  '%E0%A4%A',
  '%00',
  '../../../../etc/passwd',
  '..%2F..%2Fsecrets.json',
  '__proto__',
  'constructor',
  'prototype',
  'hasOwnProperty',
  "' OR 1=1 --",
  '"; DROP TABLE jobs; --',
  '\ud800',
  '\udfff\ud800',
  '😀'.repeat(50),
  '\u202e\u0301\u200b',
  'http://user:pass@host:1/',
  'a'.repeat(129),
  'a'.repeat(5000),
  'Bearer x',
  '{"a":',
  'null',
  'NaN',
  '-0',
  '1e309',
  '0x10',
  'true',
];

const NASTY_NUMBERS = [-1, 0, -0, 0.5, 1e308, -1e308, 2 ** 53 + 1, -(2 ** 31), 2 ** 31, 4_294_967_296, 1e-320];

/** Hostile whole values: wrong types, prototype keys, deep, wide and big ones. */
export function hostileValue(options = {}) {
  const maxDepth = options.maxDepth ?? 1_500;
  return fc.oneof(
    { arbitrary: fc.constantFrom(...NASTY_STRINGS), weight: 4 },
    { arbitrary: fc.constantFrom(...NASTY_NUMBERS), weight: 2 },
    { arbitrary: fc.constantFrom(null, true, false, [], {}, [[]], [null]), weight: 2 },
    { arbitrary: fc.constant(JSON.parse('{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}')), weight: 1 },
    { arbitrary: fc.anything({ maxDepth: 3, maxKeys: 4, withNullPrototype: true }).map(jsonSafe), weight: 3 },
    // 3,900 levels: stored, then JSON.stringify overflowed on reading it back (GET /jobs answered 500).
    { arbitrary: fc.constantFrom(33, 100, 3_900, maxDepth).map((n) => new Hostile('deep', Math.min(n, maxDepth))), weight: 3 },
    { arbitrary: fc.constantFrom(33, 100, 3_900, maxDepth).map((n) => new Hostile('deepArray', Math.min(n, maxDepth))), weight: 1 },
    { arbitrary: fc.constantFrom(300 * 1024, 1024 * 1024).map((n) => new Hostile('bigString', n)), weight: 1 },
    { arbitrary: fc.constantFrom(2_000, 20_000).map((n) => new Hostile('wide', n)), weight: 1 },
  );
}

/** Hostile values for a free-form JSON field: mostly the shapes that hurt whoever walks them later. */
export function hostileJson(options = {}) {
  const maxDepth = options.maxDepth ?? 1_500;
  return fc.oneof(
    { arbitrary: fc.constantFrom(33, 3_900, maxDepth).map((n) => new Hostile('deep', Math.min(n, maxDepth))), weight: 4 },
    { arbitrary: fc.constantFrom(33, maxDepth).map((n) => new Hostile('deepArray', Math.min(n, maxDepth))), weight: 1 },
    { arbitrary: fc.constantFrom(300 * 1024, 1024 * 1024).map((n) => new Hostile('bigString', n)), weight: 1 },
    { arbitrary: fc.constant(new Hostile('wide', 20_000)), weight: 1 },
    { arbitrary: hostileValue(options), weight: 3 },
  );
}

/** fc.anything can make values JSON has no word for (undefined, -0 keys, …): keep what JSON keeps. */
function jsonSafe(value) {
  try {
    const text = JSON.stringify(value);
    return text === undefined ? null : JSON.parse(text);
  } catch {
    return null;
  }
}

/** Property names whose values are ids of things the run created. */
const ID_POOLS = {
  id: 'any',
  accountId: 'accounts',
  ownerAccountId: 'accounts',
  jobId: 'jobs',
  parentId: 'jobs',
  monitorId: 'monitors',
  workerId: 'workers',
  epoch: 'epoch',
  attempt: 'attempt',
  pool: 'tags',
  platform: 'platforms',
  type: 'jobTypes',
};

/**
 * @param {object} schema the JSON Schema
 * @param {{ root: object, mutate?: number, freeForm?: number, hostileDepth?: number }} ctx `root`
 *   resolves `$ref`s; `mutate` is the weight of a hostile value against 20 for a generated one, at
 *   every level; `freeForm` the same for free-form JSON (default 8).
 */
export function schemaArbitrary(schema, ctx, key = undefined, depth = 0) {
  const valid = validArbitrary(schema, ctx, key, depth);
  const mutate = ctx.mutate ?? 1;
  // Free-form JSON (a payload, a result) is where hostile shapes get in whole: it gets them even in
  // an otherwise valid input (`mutate` 0), so that they reach the code behind the validation.
  const weight = isFreeForm(schema) ? (ctx.freeForm ?? 8) : mutate;
  if (weight === 0) return valid;
  const hostile = isFreeForm(schema) ? hostileJson({ maxDepth: ctx.hostileDepth }) : hostileValue({ maxDepth: ctx.hostileDepth });
  return fc.oneof({ arbitrary: valid, weight: 20 }, { arbitrary: hostile, weight });
}

/** An arbitrary of whole inputs for `schema`: valid but for free-form fields, lightly mutated, or hostile whole. */
export function bodyArbitrary(schema, ctx) {
  return fc.oneof(
    { arbitrary: schemaArbitrary(schema, { ...ctx, mutate: 0 }), weight: 5 },
    { arbitrary: schemaArbitrary(schema, { ...ctx, mutate: 1 }), weight: 5 },
    { arbitrary: hostileValue({ maxDepth: ctx.hostileDepth }), weight: 1 },
  );
}

/** `{}` (any value) or an object with no declared properties (a record). */
function isFreeForm(schema) {
  if (!schema || typeof schema !== 'object') return false;
  const keys = Object.keys(schema).filter((k) => !['description', 'default', '$schema'].includes(k));
  if (keys.length === 0) return true;
  return (
    schema.type === 'object' &&
    !schema.properties &&
    (schema.additionalProperties === undefined || (typeof schema.additionalProperties === 'object' && Object.keys(schema.additionalProperties).length === 0))
  );
}

function validArbitrary(schema, ctx, key, depth) {
  if (!schema || typeof schema !== 'object' || depth > 12) return fc.jsonValue({ maxDepth: 2 });
  if (schema.$ref) return validArbitrary(resolveRef(ctx.root, schema.$ref), ctx, key, depth + 1);
  const pool = key ? ID_POOLS[key] : undefined;
  if (pool && !schema.enum && schema.const === undefined) {
    const own = validArbitrary({ ...schema }, ctx, undefined, depth);
    return fc.oneof({ arbitrary: fc.nat().map((i) => new Pick(pool, i)), weight: 4 }, { arbitrary: own, weight: 1 });
  }
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...schema.enum);
  const choices = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(choices)) return fc.oneof(...choices.map((c) => validArbitrary(c, ctx, key, depth + 1)));
  if (Array.isArray(schema.allOf)) return validArbitrary(Object.assign({}, ...schema.allOf), ctx, key, depth + 1);
  if (Array.isArray(schema.type)) return fc.oneof(...schema.type.map((t) => validArbitrary({ ...schema, type: t }, ctx, key, depth + 1)));
  switch (schema.type) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer':
      return fc.integer({ min: clampInt(schema.minimum ?? -1_000_000), max: clampInt(schema.maximum ?? 1_000_000) });
    case 'number':
      return fc.double({ min: schema.minimum ?? -1e6, max: schema.maximum ?? 1e6, noNaN: true, noDefaultInfinity: true });
    case 'string':
      return stringArbitrary(schema);
    case 'array': {
      const minLength = schema.minItems ?? 0;
      const maxLength = Math.max(minLength, Math.min(schema.maxItems ?? 4, 4));
      return fc.array(schemaArbitrary(schema.items ?? {}, ctx, undefined, depth + 1), { minLength, maxLength });
    }
    case 'object':
      return objectArbitrary(schema, ctx, depth);
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

function objectArbitrary(schema, ctx, depth) {
  const properties = schema.properties ?? {};
  const keys = Object.keys(properties);
  if (keys.length === 0) {
    const value =
      schema.additionalProperties && typeof schema.additionalProperties === 'object'
        ? schemaArbitrary(schema.additionalProperties, ctx, undefined, depth + 1)
        : fc.jsonValue({ maxDepth: 2 });
    return fc.dictionary(fc.string({ maxLength: 12 }), value, { maxKeys: 4 });
  }
  const model = Object.fromEntries(keys.map((k) => [k, schemaArbitrary(properties[k], ctx, k, depth + 1)]));
  const required = (schema.required ?? []).filter((k) => keys.includes(k));
  // Optional ids and free-form fields are there 4 times in 5 (they lead deeper: an existing
  // account, a payload); the rest half the time. `pool` is the alternative to `accountId`.
  const absent = Symbol('absent');
  const optional = (k) => fc.option(model[k], { nil: absent, freq: (ID_POOLS[k] && k !== 'pool') || isFreeForm(properties[k]) ? 5 : 2 });
  const complete = fc.record(Object.fromEntries(keys.map((k) => [k, required.includes(k) ? model[k] : optional(k)]))).map((o) => {
    for (const k of Object.keys(o)) if (o[k] === absent) delete o[k];
    return o;
  });
  const missing = fc.record(model, { requiredKeys: [] });
  const extra = fc.tuple(complete, fc.constantFrom('nickname', '__proto__', 'constructor', 'x'.repeat(300)), fc.jsonValue({ maxDepth: 1 })).map(([o, k, v]) => {
    const out = { ...o };
    Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
    return out;
  });
  return fc.oneof({ arbitrary: complete, weight: 12 }, { arbitrary: missing, weight: 1 }, { arbitrary: extra, weight: 1 });
}

function stringArbitrary(schema) {
  const minLength = schema.minLength ?? 0;
  const maxLength = Math.max(minLength, Math.min(schema.maxLength ?? 40, 40));
  if (schema.format === 'date-time')
    return fc.date({ min: new Date('2020-01-01'), max: new Date('2035-01-01'), noInvalidDate: true }).map((d) => d.toISOString());
  if (schema.format === 'email') return fc.emailAddress();
  if (schema.pattern) {
    return fc.stringMatching(new RegExp(schema.pattern)).filter((s) => s.length >= minLength && s.length <= (schema.maxLength ?? Infinity));
  }
  return fc.string({
    minLength,
    maxLength,
    unit: fc.oneof(
      { arbitrary: fc.constantFrom(...'abcxyz019 -_./:@'), weight: 8 },
      { arbitrary: fc.string({ unit: 'binary', maxLength: 1 }).map((s) => s || 'a'), weight: 1 },
    ),
  });
}

function clampInt(n) {
  return Math.max(Number.MIN_SAFE_INTEGER, Math.min(Number.MAX_SAFE_INTEGER, Math.trunc(n)));
}

function resolveRef(root, ref) {
  if (!ref.startsWith('#/')) return {};
  let node = root;
  for (const part of ref.slice(2).split('/')) node = node?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  return node ?? {};
}

/**
 * The value to send: Picks resolved against `pools`, Hostiles built. `maxDepth` caps deep values
 * (a socket client's own JSON.stringify overflows past a few thousand levels).
 */
export function materialize(value, pools, maxDepth = Infinity) {
  if (value instanceof Pick) return pickFrom(pools, value);
  if (value instanceof Hostile) return buildHostile(value, maxDepth);
  if (Array.isArray(value)) return value.map((v) => materialize(v, pools, maxDepth));
  if (value && typeof value === 'object') {
    const out = Object.getPrototypeOf(value) === null ? Object.create(null) : {};
    for (const k of Object.keys(value))
      Object.defineProperty(out, k, { value: materialize(value[k], pools, maxDepth), enumerable: true, writable: true, configurable: true });
    return out;
  }
  return value;
}

/** The JSON text of a generated value; deep Hostiles are written as text, so they can be any depth. */
export function toJsonText(value, pools) {
  if (value instanceof Hostile && (value.kind === 'deep' || value.kind === 'deepArray')) {
    const [open, inner, close] = value.kind === 'deep' ? ['{"a":', '{}', '}'] : ['[', '[]', ']'];
    return open.repeat(value.size - 1) + inner + close.repeat(value.size - 1);
  }
  if (value instanceof Pick || value instanceof Hostile) return JSON.stringify(materialize(value, pools));
  if (Array.isArray(value)) return `[${value.map((v) => toJsonText(v, pools)).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.keys(value)
      .map((k) => `${JSON.stringify(k)}:${toJsonText(value[k], pools)}`)
      .join(',')}}`;
  return JSON.stringify(value) ?? 'null';
}

export function pickFrom(pools, pick) {
  const list = pools[pick.pool] ?? [];
  if (list.length === 0) return pick.pool === 'epoch' || pick.pool === 'attempt' ? 1 : `missing-${pick.pool}`;
  return list[pick.index % list.length];
}

function buildHostile(hostile, maxDepth) {
  switch (hostile.kind) {
    case 'deep':
    case 'deepArray': {
      const levels = Math.min(hostile.size, maxDepth);
      let value = hostile.kind === 'deep' ? {} : [];
      for (let i = 1; i < levels; i += 1) value = hostile.kind === 'deep' ? { a: value } : [value];
      return value;
    }
    case 'bigString':
      return 'x'.repeat(hostile.size);
    case 'wide':
      return Object.fromEntries(Array.from({ length: hostile.size }, (_, i) => [`k${i}`, i]));
    default:
      return null;
  }
}
