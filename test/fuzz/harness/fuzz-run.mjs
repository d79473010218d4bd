// One fuzzing run: starts a master as a child process, sets up the fleet the inputs talk to, then
// sends the generated inputs one at a time and counts what went wrong: master exits (crashes), 5xx
// answers and INTERNAL_ERROR acks (serverErrors), rows changed by a refused request (partialWrites)
// and answers slower than 100 ms (stalls). The same seed sends the same inputs in the same order.
import fc from 'fast-check';
import { DbState } from './db-state.mjs';
import { FleetSockets, STEADY_PLATFORM, connect, connected, request } from './fleet-sockets.mjs';
import { SOCKET_MAX_DEPTH, inputArbitrary } from './inputs.mjs';
import { MasterChild } from './master-child.mjs';
import { materialize, pickFrom, toJsonText } from './schema-arbitrary.mjs';

/** The 503 codes that say "try again later" about the fleet's state (docs/errors.md). */
const TRANSIENT_CODES = new Set(['WORKER_LOST', 'NO_CAPACITY', 'LOCK_UNAVAILABLE']);

const STALL_MS = 100;
/**
 * A heartbeat is answered once it is written, with the others that arrive within the master's
 * heartbeat batch (200 ms, packages/master/src/scheduler/heartbeat-batch.ts): it stalls only past that.
 */
const HEARTBEAT_STALL_MS = STALL_MS + 200;
const BATCH = 100;
const MAX_FAULTS = 40;

/**
 * @param {{ seed: number, runs: number, traceFrom?: number, log?: (line: string) => void }} options
 *   `traceFrom`: from this input on, each input is logged with its outcome and the master's new output.
 * @returns the summary: inputs, crashes, serverErrors, partialWrites, stallsOver100ms, … and faults
 */
export async function runFuzz({ seed, runs, traceFrom = Number.POSITIVE_INFINITY, log = () => undefined }) {
  const master = new MasterChild();
  const db = new DbState(master.dbFile);
  const fleet = { master, db, sockets: undefined, pools: emptyPools(), viewerToken: undefined, steady: undefined };
  const stats = {
    seed,
    runs,
    inputs: 0,
    crashes: 0,
    serverErrors: 0,
    serverErrorsByCode: {},
    partialWrites: 0,
    stallsOver100ms: 0,
    unavailable: 0,
    unanswered: 0,
    refused: 0,
    accepted: 0,
    byKind: {},
    faults: [],
  };
  const started = Date.now();
  try {
    await startFleet(fleet);
    const doc = await (await fetch(`${master.url}/api/v1/openapi.json`)).json();
    const arbitrary = inputArbitrary(doc);
    for (let batch = 0; stats.inputs < runs; batch += 1) {
      const inputs = fc.sample(arbitrary, { seed: seed + batch, numRuns: Math.min(BATCH, runs - stats.inputs) });
      for (const input of inputs) {
        const outputBefore = master.output.length;
        const outcome = await runOne(fleet, input, stats);
        if (stats.inputs >= traceFrom) log(traceLine(stats.inputs, input, outcome, master.output.slice(outputBefore)));
        if (stats.inputs % 250 === 0)
          log(
            `fuzz: ${stats.inputs}/${runs} inputs, ${stats.crashes} crashes, ${stats.serverErrors} 5xx, ${stats.partialWrites} partial writes, ${stats.stallsOver100ms} stalls (${Math.round((Date.now() - started) / 1000)} s)`,
          );
      }
      await refreshSteady(fleet);
    }
  } finally {
    fleet.sockets?.close();
    db.close();
    await master.close();
  }
  return { ...stats, durationMs: Date.now() - started };
}

function traceLine(n, input, outcome, masterOutput) {
  const { payload, body, ...rest } = input;
  const sent = JSON.stringify({
    ...rest,
    payload: payload === undefined ? undefined : JSON.stringify(payload)?.slice(0, 200),
    body: body === undefined ? undefined : JSON.stringify(body)?.slice(0, 200),
  });
  const answer = JSON.stringify(outcome)?.slice(0, 300);
  return `fuzz: #${n} ${sent}\n  -> ${answer}${masterOutput ? `\n  master: ${masterOutput.trim().slice(-1_000)}` : ''}`;
}

function emptyPools() {
  return {
    accounts: [],
    jobs: [],
    monitors: [],
    workers: ['fuzz-steady', 'fuzz-spare', 'fuzz-unregistered'],
    tokens: [],
    tags: ['fuzz-pool'],
    platforms: [STEADY_PLATFORM, 'sandbox'],
    jobTypes: ['fuzz', 'login', 'crawl', 'reply'],
    epoch: [1],
    attempt: [1],
    artifactNames: ['run.log', 'trace.zip', 'result.json'],
    any: [],
  };
}

async function startFleet(fleet) {
  await fleet.master.start();
  fleet.db.open();
  if (!fleet.viewerToken) {
    const viewer = await rest(fleet.master, 'POST', '/api/v1/tokens', { name: 'fuzz-viewer', role: 'viewer' });
    fleet.viewerToken = viewer.body.token;
  }
  fleet.sockets = new FleetSockets(fleet.master);
  await fleet.sockets.open(fleet.viewerToken);
  fleet.steady = undefined;
  await refreshSteady(fleet);
}

/** Keeps one job of the steady worker's account in flight (a fuzzed report may have finished it). */
async function refreshSteady(fleet) {
  const { master, db, pools } = fleet;
  let steady = fleet.steady;
  const accountRow = steady && db.db.prepare('SELECT epoch, owner_worker_id FROM accounts WHERE id = ?').get(steady.accountId);
  if (!accountRow) {
    const account = await rest(master, 'POST', '/api/v1/accounts', { platform: STEADY_PLATFORM, label: 'fuzz steady', tags: ['fuzz-pool'] });
    if (account.status !== 201) throw new Error(`steady account: ${account.status} ${JSON.stringify(account.body)}`);
    steady = fleet.steady = { accountId: account.body.id, jobId: undefined };
    addToPool(pools.accounts, account.body.id);
  }
  const jobRow = steady.jobId && db.db.prepare('SELECT status, attempt, epoch FROM jobs WHERE id = ?').get(steady.jobId);
  if (!jobRow || !['queued', 'dispatched', 'running'].includes(jobRow.status)) {
    const job = await rest(master, 'POST', '/api/v1/jobs', { type: 'fuzz', accountId: steady.accountId, timeoutMs: 24 * 3600 * 1000, maxAttempts: 100 });
    if (job.status !== 201) return; // a fuzzed drain or delete may refuse it: the next refresh tries again
    steady.jobId = job.body.id;
    addToPool(pools.jobs, job.body.id);
  }
  for (let i = 0; i < 40; i += 1) {
    const row = db.db.prepare('SELECT j.status, j.attempt, a.epoch FROM jobs j JOIN accounts a ON a.id = j.account_id WHERE j.id = ?').get(steady.jobId);
    if (row && row.status !== 'queued') {
      pools.epoch = [row.epoch];
      pools.attempt = [row.attempt];
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function rest(master, method, path, body) {
  const res = await fetch(`${master.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${master.apiToken}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  let parsed;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = text;
  }
  return { status: res.status, body: parsed };
}

async function runOne(fleet, input, stats) {
  const { master, db } = fleet;
  stats.inputs += 1;
  stats.byKind[input.kind] = (stats.byKind[input.kind] ?? 0) + 1;
  // A fuzzed handshake or revoke may have pushed a fleet socket off: it comes back (and enrolls
  // and registers again) before the snapshot, so that its own writes are not blamed on this input.
  if (input.kind === 'worker' || input.kind === 'client') await fleet.sockets.ensureConnected();
  const before = input.write ? db.snapshot() : undefined;
  const t0 = performance.now();
  let outcome;
  try {
    outcome = await send(fleet, input);
  } catch (error) {
    outcome = { transport: String(error?.cause?.code ?? error?.message ?? error) };
  }
  const ms = performance.now() - t0;
  if (ms > (input.kind === 'worker' && input.event === 'worker:heartbeat' ? HEARTBEAT_STALL_MS : STALL_MS)) stats.stallsOver100ms += 1;
  if (input.kind === 'rest' && input.method === 'DELETE' && input.path.template === CREDENTIAL_ROUTE && outcome.accepted)
    await fleet.sockets.revoked(pathParam(fleet, input, 'id'));
  // An exit often follows the answer (a rejection nothing caught): give it a moment to show.
  if (outcome.transport || outcome.handshake) await exited(master, outcome.transport ? 500 : 30);
  if (!master.alive) {
    stats.crashes += 1;
    const exit = master.exits.at(-1);
    fault(stats, 'crash', input, fleet, { exit: exit ? { code: exit.code, signal: exit.signal, output: lastLines(exit.output, 12) } : undefined, outcome });
    fleet.sockets?.close();
    await startFleet(fleet);
    return { ...outcome, ms };
  }
  if (outcome.unanswered) {
    stats.unanswered += 1;
    fault(stats, 'unanswered', input, fleet, outcome);
  }
  if (outcome.serverError) {
    stats.serverErrors += 1;
    const code = `${outcome.status ?? 'ack'} ${outcome.code ?? ''}`.trim();
    stats.serverErrorsByCode[code] = (stats.serverErrorsByCode[code] ?? 0) + 1;
    fault(stats, 'serverError', input, fleet, outcome);
  }
  if (outcome.unavailable) stats.unavailable += 1;
  if (outcome.refused) stats.refused += 1;
  else if (outcome.accepted) stats.accepted += 1;
  if (input.write && (outcome.refused || outcome.serverError)) {
    const after = db.snapshot();
    const changed = DbState.changes(before, after);
    if (changed.length > 0) {
      stats.partialWrites += 1;
      fault(stats, 'partialWrite', input, fleet, { ...outcome, changed });
    }
  }
  if (outcome.accepted && outcome.body) learn(fleet.pools, input, outcome.body);
  return { ...outcome, ms: Math.round(ms) };
}

function exited(master, ms) {
  if (!master.alive) return Promise.resolve();
  const child = master.child;
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      child.off('exit', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    child.once('exit', done);
  });
}

async function send(fleet, input) {
  switch (input.kind) {
    case 'rest':
      return sendRest(fleet, input);
    case 'client':
    case 'worker':
      return sendEvent(fleet, input);
    case 'handshake':
      return sendHandshake(fleet, input);
    case 'polling':
      return sendPolling(fleet, input);
    default:
      throw new Error(`unknown input kind ${input.kind}`);
  }
}

const CREDENTIAL_ROUTE = '/api/v1/workers/{id}/credential';

/** A path parameter as the master reads it. */
function pathParam(fleet, input, name) {
  const value = input.path.params[name];
  if (value.pick) return String(pickFrom(fleet.pools, value.pick));
  try {
    return decodeURIComponent(value.text);
  } catch {
    return value.text;
  }
}

function restUrl(fleet, input) {
  let path = input.path.template;
  for (const [name, value] of Object.entries(input.path.params)) {
    const text = value.pick ? encodeURIComponent(String(pickFrom(fleet.pools, value.pick))) : value.text;
    path = path.replace(`{${name}}`, text);
  }
  const query = input.query.map(([k, v]) => `${encodeURIComponent(k)}=${v}`).join('&');
  return `${fleet.master.url}${path}${query ? `?${query}` : ''}`;
}

function restHeaders(fleet, input) {
  const headers = {};
  const { apiToken } = fleet.master;
  switch (input.auth) {
    case 'admin':
      headers.authorization = `Bearer ${apiToken}`;
      break;
    case 'wrong':
      headers.authorization = 'Bearer fwa_0000000000000000000000000000';
      break;
    case 'viewer':
      headers.authorization = `Bearer ${fleet.viewerToken}`;
      break;
    case 'malformed':
      headers.authorization = `Bearer ${'x'.repeat(9_000)} extra`;
      break;
    case 'badCookie':
      headers.cookie = 'fleet_session=%E0%A4%A';
      break;
    case 'cookie':
      headers.cookie = `fleet_session=${encodeURIComponent(apiToken)}`;
      headers['x-fleet-dashboard'] = '1';
      break;
    default:
      break;
  }
  return headers;
}

async function sendRest(fleet, input) {
  const headers = restHeaders(fleet, input);
  let body;
  if (input.body !== null && input.body !== undefined && input.method !== 'GET') {
    const text = toJsonText(input.body, fleet.pools);
    headers['content-type'] = input.bodyMode === 'text/plain' ? 'text/plain' : 'application/json';
    body =
      input.bodyMode === 'truncated'
        ? text.slice(0, Math.max(1, text.length >> 1))
        : input.bodyMode === 'empty'
          ? ''
          : input.bodyMode === 'huge'
            ? `{"pad":"${'x'.repeat(3 * 1024 * 1024)}"}`
            : text;
  }
  const res = await fetch(restUrl(fleet, input), { method: input.method, headers, body, signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  let parsed;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = text.slice(0, 200);
  }
  // A 503 with a documented "try again" code (the account's worker is away, no capacity, Redis
  // away) is the fleet's true state, not a fault of the master: counted apart, as `unavailable`.
  const unavailable = res.status === 503 && TRANSIENT_CODES.has(parsed?.code);
  return {
    status: res.status,
    code: parsed?.code,
    message: parsed?.message,
    body: parsed,
    accepted: res.status < 400,
    refused: (res.status >= 400 && res.status < 500) || unavailable,
    unavailable,
    serverError: res.status >= 500 && !unavailable,
  };
}

async function sendEvent(fleet, input) {
  const socket = fleet.sockets.sockets[input.socket];
  const payload = materialize(input.payload, fleet.pools, SOCKET_MAX_DEPTH);
  if (input.unknownEvent) {
    // Nothing answers an unknown event: send it without an ack, then check the socket still works.
    socket.emit(input.event, payload);
    const probe = await request(socket, input.kind === 'client' ? 'job:cancel' : 'worker:heartbeat', input.kind === 'client' ? { jobId: 'missing' } : {});
    if (probe === undefined) return { unanswered: true, event: input.event };
    return { accepted: false, refused: true, ack: probe };
  }
  const ack = await request(socket, input.event, payload);
  if (ack === undefined) return { unanswered: true, event: input.event };
  const code = ack?.error?.code;
  return {
    ack: summarizeAck(ack),
    code,
    message: ack?.error?.message,
    body: ack?.data,
    accepted: ack?.ok === true,
    refused: ack?.ok !== true,
    serverError: code === 'INTERNAL_ERROR',
  };
}

async function sendHandshake(fleet, input) {
  const { master } = fleet;
  const headers = {};
  if (input.cookie) headers.cookie = typeof input.cookie === 'string' ? input.cookie : `fleet_session=${encodeURIComponent(master.apiToken)}`;
  if (input.origin) headers.origin = typeof input.origin === 'string' ? input.origin : master.url;
  const options = { extraHeaders: headers };
  if (input.auth !== null) {
    const auth = materialize(resolveHandshakeAuth(input.auth, master), fleet.pools, 100);
    options.auth = (cb) => cb(auth);
  }
  const socket = connect(master.url, input.ns, options);
  try {
    const how = await connected(socket);
    if (how === 'timeout') return { unanswered: true, handshake: how };
    return { handshake: how, accepted: how === 'connect', refused: how !== 'connect', serverError: /INTERNAL_ERROR/.test(how) };
  } finally {
    socket.disconnect();
  }
}

function resolveHandshakeAuth(auth, master) {
  if (!auth || typeof auth !== 'object' || Array.isArray(auth)) return auth;
  const out = { ...auth };
  if (out.token && typeof out.token === 'object' && out.token.validToken) out.token = master.apiToken;
  if (out.token && typeof out.token === 'object' && out.token.validWorkerToken) out.token = master.workerToken;
  return out;
}

async function sendPolling(fleet, input) {
  const res = await fetch(`${fleet.master.url}/socket.io/?${input.query}`, {
    method: input.method,
    body: input.method === 'POST' ? input.body : undefined,
    headers: { 'content-type': 'text/plain;charset=UTF-8' },
    signal: AbortSignal.timeout(10_000),
  });
  await res.arrayBuffer();
  return { status: res.status, accepted: res.status < 400, refused: res.status >= 400 && res.status < 500, serverError: res.status >= 500 };
}

function summarizeAck(ack) {
  return ack?.ok ? { ok: true } : { ok: false, error: ack?.error };
}

/** Ids from accepted answers feed later inputs (a job of an account created before, …). */
function learn(pools, input, body) {
  const path = input.kind === 'rest' ? input.path.template : input.event;
  const id = body && typeof body === 'object' ? body.id : undefined;
  if (typeof id !== 'string') return;
  const pool = /accounts/.test(path)
    ? pools.accounts
    : /jobs|batches|flows|job:create|login:start|reply:execute/.test(path)
      ? pools.jobs
      : /monitors/.test(path)
        ? pools.monitors
        : /tokens/.test(path)
          ? pools.tokens
          : undefined;
  if (pool) addToPool(pool, id);
  addToPool(pools.any, id);
}

function addToPool(pool, value) {
  if (pool.includes(value)) return;
  pool.push(value);
  if (pool.length > 50) pool.shift();
}

/** Records a fault with enough to reproduce it: the input as sent (long strings cut) and what came back. */
function fault(stats, kind, input, fleet, detail) {
  // One entry per kind of answer (the same fault reached through many routes is one fault).
  const message = String(detail?.message ?? detail?.handshake ?? detail?.exit?.output?.split('\n').find((l) => /Error/.test(l)) ?? '')
    .replace(/'[^']*'/g, "'…'")
    .slice(0, 80);
  const signature = `${kind} ${input.kind} ${detail?.status ?? ''} ${detail?.code ?? ''} ${message}`;
  const seen = stats.faults.find((f) => f.signature === signature);
  if (seen) {
    seen.count += 1;
    if (seen.inputs.length < 8 && !seen.inputs.includes(describe(input))) seen.inputs.push(describe(input));
    return;
  }
  if (stats.faults.length >= MAX_FAULTS) return;
  let sent;
  try {
    sent =
      input.kind === 'rest'
        ? {
            url: restUrl(fleet, input).replace(fleet.master.url, ''),
            auth: input.auth,
            bodyMode: input.bodyMode,
            body: cut(toJsonText(input.body ?? null, fleet.pools)),
          }
        : { ...input, payload: input.payload === undefined ? undefined : cut(toJsonText(input.payload, fleet.pools)) };
  } catch (error) {
    sent = `unprintable input: ${error}`;
  }
  const { body: _body, ...shown } = detail ?? {};
  stats.faults.push({ signature, kind, inputs: [describe(input)], count: 1, sent, answer: shown, atInput: stats.inputs });
}

function describe(input) {
  if (input.kind === 'rest') return `${input.method} ${input.path.template}`;
  if (input.kind === 'client' || input.kind === 'worker') return `${input.kind} ${input.event}`;
  if (input.kind === 'handshake') return `handshake ${input.ns}`;
  return `polling ${input.method}`;
}

function cut(text) {
  return text.length > 400 ? `${text.slice(0, 300)}… (${text.length} chars)` : text;
}

function lastLines(text, n) {
  return text.split('\n').filter(Boolean).slice(-n).join('\n');
}
