// What the fuzzer sends, as fast-check arbitraries: REST calls built from the OpenAPI document,
// `/client` and `/worker` events built from the zod schemas of the shared contract, and
// handshakes. Each input is plain data (with Picks and Hostiles in it) until the runner sends it.
import fc from 'fast-check';
import { z } from 'zod';
import { ClientToMasterSchemas, WorkerEvent, WorkerToMasterSchemas } from '@fleetwright/shared/contract';
import { NASTY_STRINGS, Pick, bodyArbitrary, hostileValue, schemaArbitrary } from './schema-arbitrary.mjs';

/**
 * Each `/worker` event and `/client` request with the schema the master parses it with: the
 * contract's own maps, so a new event is fuzzed from the day it is added.
 */
export const WORKER_EVENT_SCHEMAS = WorkerToMasterSchemas;
export const CLIENT_REQUEST_SCHEMAS = ClientToMasterSchemas;

/** Socket payloads are stringified by the socket.io client itself, which overflows past a few thousand levels. */
export const SOCKET_MAX_DEPTH = 1_500;
// ('disconnect' and the other reserved names are refused by the client library itself.)
const UNKNOWN_EVENTS = ['job:delete', 'worker:job:results', '__proto__', 'constructor', 'hasOwnProperty', 'toString', 'x'.repeat(300)];
const WRITE_METHODS = new Set(['post', 'patch', 'put', 'delete']);

/** encodeURIComponent, except that a lone surrogate is written as its (invalid) UTF-8 bytes, not thrown on. */
export function pct(text) {
  let out = '';
  for (const c of text) {
    const code = c.charCodeAt(0);
    const lone = c.length === 1 && code >= 0xd800 && code <= 0xdfff;
    out += lone
      ? [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('')
      : encodeURIComponent(c);
  }
  return out;
}

/** Path parameters: which pool of ids feeds them. */
function poolOfPath(pathTemplate, param) {
  if (param === 'name') return 'artifactNames';
  const m = /\/api\/v1\/(\w+)\/\{/.exec(pathTemplate);
  return { accounts: 'accounts', jobs: 'jobs', monitors: 'monitors', workers: 'workers', tokens: 'tokens' }[m?.[1]] ?? 'any';
}

/** One arbitrary per REST operation of the OpenAPI document. */
function restOperations(doc) {
  const ops = [];
  for (const [pathTemplate, item] of Object.entries(doc.paths)) {
    for (const method of ['get', 'post', 'patch', 'put', 'delete']) {
      const op = item[method];
      if (!op) continue;
      const params = [...(item.parameters ?? []), ...(op.parameters ?? [])];
      const bodySchema = op.requestBody?.content?.['application/json']?.schema;
      ops.push(restArbitrary(doc, method.toUpperCase(), pathTemplate, params, bodySchema));
    }
  }
  return ops;
}

const segment = (pool) =>
  fc.oneof(
    { arbitrary: fc.nat().map((i) => ({ pick: new Pick(pool, i) })), weight: 8 },
    { arbitrary: fc.constantFrom(...NASTY_STRINGS).map((s) => ({ text: pct(s) })), weight: 2 },
    { arbitrary: fc.constantFrom('%E0%A4%A', '%', '..', '%2e%2e', '%00', ';', 'a%2Fb').map((s) => ({ text: s })), weight: 1 },
    { arbitrary: fc.stringMatching(/^[A-Za-z0-9_.:-]{1,40}$/).map((s) => ({ text: s })), weight: 1 },
  );

const queryValue = (schema, doc) =>
  fc.oneof(
    {
      arbitrary: schemaArbitrary(schema ?? { type: 'string' }, { root: doc, mutate: 0, freeForm: 0 }).map((v) => ({
        text: pct(typeof v === 'string' ? v : JSON.stringify(v)),
      })),
      weight: 6,
    },
    { arbitrary: fc.constantFrom(...NASTY_STRINGS).map((s) => ({ text: pct(s) })), weight: 2 },
    { arbitrary: fc.constantFrom('%E0%A4%A', '%', '-1', '0', '1e3', '501', '1.5', '[]', '{}').map((s) => ({ text: s })), weight: 2 },
  );

function restArbitrary(doc, method, pathTemplate, params, bodySchema) {
  const pathParams = params.filter((p) => p.in === 'path');
  const queryParams = params.filter((p) => p.in === 'query');
  const path = fc
    .tuple(...pathParams.map((p) => segment(poolOfPath(pathTemplate, p.name))))
    .map((values) => ({ template: pathTemplate, params: Object.fromEntries(pathParams.map((p, i) => [p.name, values[i]])) }));
  const declared = fc
    .tuple(...queryParams.map((p) => fc.option(queryValue(p.schema, doc), { freq: 2 })))
    .map((values) => queryParams.flatMap((p, i) => (values[i] === null ? [] : [[p.name, values[i].text]])));
  const extra = fc.array(
    fc.tuple(fc.constantFrom('limit', 'cursor', 'status', '__proto__', 'x', 'accountId[]', 'minutes'), fc.constantFrom('1', '%E0%A4%A', 'a', '-5', '')),
    { maxLength: 3 },
  );
  const query = fc.tuple(declared, extra).map(([a, b]) => [...a, ...b]);
  const body = bodySchema ? bodyArbitrary(bodySchema, { root: doc, hostileDepth: 50_000 }) : fc.option(hostileValue({ maxDepth: 100 }), { freq: 8 });
  return fc.record({
    kind: fc.constant('rest'),
    method: fc.constant(method),
    path,
    query,
    auth: authMode(),
    bodyMode: fc.constantFrom('json', 'json', 'json', 'json', 'json', 'json', 'json', 'json', 'text/plain', 'truncated', 'empty', 'huge'),
    body,
    write: fc.constant(WRITE_METHODS.has(method.toLowerCase())),
  });
}

function authMode() {
  return fc.constantFrom('admin', 'admin', 'admin', 'admin', 'admin', 'admin', 'admin', 'admin', 'none', 'wrong', 'viewer', 'malformed', 'badCookie', 'cookie');
}

function socketEvent(kind, schemas, sockets) {
  const known = Object.entries(schemas).map(([event, schema]) => {
    const jsonSchema = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
    return fc.record({
      kind: fc.constant(kind),
      socket: fc.constantFrom(...sockets(event)),
      event: fc.constant(event),
      payload: bodyArbitrary(jsonSchema, { root: jsonSchema, hostileDepth: SOCKET_MAX_DEPTH }),
      write: fc.constant(true),
    });
  });
  const unknown = fc.record({
    kind: fc.constant(kind),
    socket: fc.constantFrom(...sockets('')),
    event: fc.constantFrom(...UNKNOWN_EVENTS),
    payload: hostileValue({ maxDepth: 100 }),
    write: fc.constant(true),
    unknownEvent: fc.constant(true),
  });
  return fc.oneof({ arbitrary: fc.oneof(...known), weight: 12 }, { arbitrary: unknown, weight: 1 });
}

function handshake() {
  const cookie = fc.oneof(
    fc.constantFrom(
      'fleet_session=%E0%A4%A',
      'fleet_session=%',
      'fleet_session=',
      `fleet_session=${'a'.repeat(9_000)}`,
      '=;=;;',
      'fleet_session="x',
      'other=1; fleet_session=%zz',
    ),
    fc.constant({ validCookie: true }),
    fc.string({ maxLength: 40 }).map((s) => `fleet_session=${s}`),
  );
  const origin = fc.constantFrom('http://evil.example', 'null', '%E0%A4%A', 'http://127.0.0.1:1', 'file://', { ownOrigin: true });
  const auth = fc.oneof(
    hostileValue({ maxDepth: 100 }),
    fc.record({ token: fc.oneof(fc.constant({ validToken: true }), fc.constantFrom(...NASTY_STRINGS), fc.nat(), fc.constant(null)) }),
    fc.record(
      {
        workerId: fc.oneof(fc.constantFrom(...NASTY_STRINGS), fc.constant('fuzz-steady'), fc.constant('fuzz-new')),
        token: fc.oneof(fc.constant({ validWorkerToken: true }), fc.constantFrom(...NASTY_STRINGS)),
      },
      { requiredKeys: [] },
    ),
  );
  const socketHandshake = fc.record({
    kind: fc.constant('handshake'),
    ns: fc.constantFrom('/client', '/worker', '/', '/nope'),
    cookie: fc.option(cookie, { freq: 2 }),
    origin: fc.option(origin, { freq: 2 }),
    auth: fc.option(auth, { freq: 4 }),
    write: fc.constant(false),
  });
  const polling = fc.record({
    kind: fc.constant('polling'),
    query: fc.constantFrom(
      'EIO=4&transport=polling',
      'EIO=3&transport=polling',
      'EIO=4&transport=polling&sid=%E0%A4%A',
      'EIO=4&transport=websocket',
      'EIO=x&transport=polling&t=1',
      'transport=polling',
    ),
    method: fc.constantFrom('GET', 'POST'),
    body: fc.constantFrom('', '40/client,', '42["job:create"', `4${'x'.repeat(2_000)}`, '\u0000'),
    write: fc.constant(false),
  });
  return fc.oneof({ arbitrary: socketHandshake, weight: 5 }, { arbitrary: polling, weight: 1 });
}

/** Everything the fuzzer sends, weighted: REST, `/client`, `/worker`, handshakes. */
export function inputArbitrary(openApiDocument) {
  const rest = fc.oneof(...restOperations(openApiDocument));
  const client = socketEvent('client', CLIENT_REQUEST_SCHEMAS, () => ['admin', 'admin', 'admin', 'viewer']);
  // worker:register on the steady worker would change what it runs: only the spare one registers again.
  const worker = socketEvent('worker', WORKER_EVENT_SCHEMAS, (event) =>
    event === WorkerEvent.Register ? ['spare', 'unregistered'] : ['steady', 'steady', 'steady', 'spare', 'unregistered'],
  );
  return fc.oneof(
    { arbitrary: rest, weight: 45 },
    { arbitrary: client, weight: 20 },
    { arbitrary: worker, weight: 25 },
    { arbitrary: handshake(), weight: 10 },
  );
}
