import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientRequest, WorkerEvent, type JobRun } from '@fleetwright/shared';
import { MasterFixture } from './support/master-fixture.js';
import type { SimulatedWorker } from './support/simulated-worker.js';
import { waitUntil } from './support/wait-until.js';

const HTTP_SRC = fileURLToPath(new URL('../src/http', import.meta.url));
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

/** Routes that answer without an API token, each for its own reason. */
const PUBLIC_ROUTES = new Set([
  'get /health', // load balancers
  'get /metrics', // Prometheus: public unless FLEET_METRICS_TOKEN is set (http-edge.test.ts)
  'get /api/v1/openapi.json', // holds no data
  'post /api/v1/session', // sign-in: the token is the body
  'delete /api/v1/session', // sign-out: clears a cookie
]);

/** Routes that take a worker's credential (or the fleet token) instead of an API token. */
const WORKER_ROUTES = new Set(['post /api/v1/worker/enroll', 'put /api/v1/worker/jobs/{id}/artifacts/{name}']);

/** Every `router.<method>('<path>'` / `app.<method>(` / `api.<method>(` in the master's HTTP sources, as OpenAPI paths. */
function routesInSource(): string[] {
  const files = readdirSync(HTTP_SRC, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
  const routes = new Set<string>();
  for (const file of files) {
    const text = readFileSync(path.join(HTTP_SRC, file), 'utf8');
    for (const match of text.matchAll(/\b(router|app|api)\.(get|post|put|patch|delete)\(\s*'([^']+)'/g)) {
      const [, owner, method, route] = match as unknown as [string, string, string, string];
      const full = owner === 'app' && !route.startsWith('/api/v1') ? route : route.startsWith('/api/v1') ? route : `/api/v1${route}`;
      routes.add(`${method} ${full.replace(/:([A-Za-z]+)/g, '{$1}')}`);
    }
  }
  return [...routes].sort();
}

describe('auth matrix: every route, /client request and /worker event refuses whoever may not use it', () => {
  let fx: MasterFixture;
  let doc: { paths: Record<string, Record<string, unknown>> };
  let viewer: string;
  let revoked: string;
  let owner: SimulatedWorker;
  let intruder: SimulatedWorker;
  let accountId: string;
  let run: JobRun;

  beforeAll(async () => {
    fx = await MasterFixture.start();
    doc = (await (await fetch(`${fx.url}/api/v1/openapi.json`)).json()) as typeof doc;
    viewer = (await fx.api('POST', '/tokens', { name: 'viewer', role: 'viewer' })).body.token;
    const gone = (await fx.api('POST', '/tokens', { name: 'gone', role: 'admin' })).body;
    await fx.api('DELETE', `/tokens/${gone.id}`);
    revoked = gone.token;
    owner = await fx.worker('owner').start();
    const account = await fx.createAccount({ platform: 'sandbox', credentials: { username: 'alice', password: 'matrix-secret-1' } });
    accountId = account.id;
    await owner.waitForAssign(accountId);
    intruder = await fx.worker('intruder').start();
    const job = await fx.createJob({ type: 'crawl', accountId });
    run = await waitUntil('the job runs on its owner', async () => owner.runs.find((r) => r.jobId === job.id), 5000);
  });
  afterAll(async () => {
    await fx?.close();
  });

  function documented(): { method: string; route: string }[] {
    return Object.entries(doc.paths).flatMap(([route, item]) => METHODS.filter((m) => m in item).map((method) => ({ method, route })));
  }

  function concrete(route: string): string {
    return route.replace('{id}', 'no-such-id').replace('{name}', 'run.log');
  }

  async function call(method: string, route: string, token: string | null, headers: Record<string, string> = {}): Promise<number> {
    const res = await fetch(`${fx.url}${concrete(route)}`, {
      method: method.toUpperCase(),
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(method === 'get' || method === 'delete' ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(method === 'get' || method === 'delete' ? {} : { body: '{}' }),
      signal: AbortSignal.timeout(5000),
    });
    await res.arrayBuffer();
    return res.status;
  }

  it('documents every route the master serves, so none escapes this matrix', () => {
    const inDoc = new Set(documented().map(({ method, route }) => `${method} ${route}`));
    const missing = routesInSource().filter((r) => !inDoc.has(r) && !PUBLIC_ROUTES.has(r) && r !== 'get /');
    expect(missing).toEqual([]);
  });

  it('refuses no token, a wrong token and a revoked token on every API route', async () => {
    const failures: string[] = [];
    for (const { method, route } of documented()) {
      const key = `${method} ${route}`;
      if (PUBLIC_ROUTES.has(key) || WORKER_ROUTES.has(key)) continue;
      for (const [who, token] of [
        ['no token', null],
        ['a wrong token', 'fwa_wrong'],
        ['a revoked token', revoked],
      ] as const) {
        const status = await call(method, route, token);
        if (status !== 401) failures.push(`${key} with ${who}: ${status}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('lets a viewer change nothing', async () => {
    const failures: string[] = [];
    for (const { method, route } of documented()) {
      const key = `${method} ${route}`;
      if (method === 'get' || PUBLIC_ROUTES.has(key) || WORKER_ROUTES.has(key)) continue;
      const status = await call(method, route, viewer);
      if (status !== 403) failures.push(`${key}: ${status}`);
    }
    expect(failures).toEqual([]);
  });

  it('refuses API tokens and other workers on the worker routes', async () => {
    const failures: string[] = [];
    for (const key of WORKER_ROUTES) {
      const [method, route] = key.split(' ') as [string, string];
      for (const [who, token] of [
        ['no token', null],
        ['an admin API token', fx.apiToken],
        ['a viewer token', viewer],
      ] as const) {
        const status = await call(method, route, token, { 'x-fleet-worker': 'owner' });
        if (status !== 401) failures.push(`${key} with ${who}: ${status}`);
      }
    }
    // The intruder, a registered worker, can't write the owner's job's artifacts.
    const upload = await fetch(`${fx.url}/api/v1/worker/jobs/${run.jobId}/artifacts/run.log`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${fx.workerToken}`, 'x-fleet-worker': 'intruder', 'x-fleet-attempt': String(run.attempt) },
      body: 'forged',
    });
    if (upload.status < 400) failures.push(`artifact upload by another worker: ${upload.status}`);
    expect(failures).toEqual([]);
  });

  it('refuses every change a viewer asks for over /client', async () => {
    const socket = fx.client(viewer);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
      socket.connect();
    });
    const bodies: Record<string, unknown> = {
      [ClientRequest.JobCreate]: { type: 'crawl', accountId },
      [ClientRequest.JobCancel]: { jobId: run.jobId },
      [ClientRequest.LoginStart]: { accountId },
      [ClientRequest.ReplyExecute]: { accountId, kind: 'comment', targetId: 'c1', text: 'hi' },
      [ClientRequest.LiveInput]: { accountId, input: { type: 'text', text: 'x' } },
    };
    // Watching changes nothing: viewers may watch an account's live view (but never send it input).
    const reads: Record<string, unknown> = {
      [ClientRequest.LiveWatch]: { accountId },
      [ClientRequest.LiveUnwatch]: { accountId },
    };
    expect([...Object.keys(bodies), ...Object.keys(reads)].sort()).toEqual(Object.values(ClientRequest).sort());
    for (const [event, body] of Object.entries(reads)) {
      const ack = await (socket.timeout(5000) as unknown as { emitWithAck(e: string, b: unknown): Promise<{ ok: boolean }> }).emitWithAck(event, body);
      expect(ack, event).toMatchObject({ ok: true });
    }
    for (const [event, body] of Object.entries(bodies)) {
      const ack = await (
        socket.timeout(5000) as unknown as { emitWithAck(e: string, b: unknown): Promise<{ ok: boolean; error?: { code: string } }> }
      ).emitWithAck(event, body);
      expect(ack, event).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    }
    expect((await fx.job(run.jobId)).status).not.toBe('cancelled');
  });

  it('refuses no token, a wrong and a revoked token on /client', async () => {
    for (const token of ['', 'fwa_wrong', revoked]) {
      const socket = fx.client(token);
      const error = await new Promise<{ data?: { code?: string } }>((resolve) => {
        socket.once('connect', () => resolve({}));
        socket.once('connect_error', (e) => resolve(e as { data?: { code?: string } }));
        socket.connect();
      });
      expect(error.data?.code, token || 'no token').toBe('UNAUTHORIZED');
    }
  });

  it("lets no worker act on another worker's job or account, whatever the event", async () => {
    const ref = { jobId: run.jobId, accountId, epoch: run.epoch, attempt: run.attempt };
    const browser = { accountId, state: 'running', fenceToken: 999, error: null };
    const reports: Record<string, unknown> = {
      [WorkerEvent.Register]: {
        host: 'x',
        version: '0.0.0',
        capabilities: [{ platform: 'sandbox', jobTypes: ['crawl'] }],
        maxAccounts: 5,
        maxConcurrency: 2,
        maxLiveContexts: 2,
        runningJobs: [{ jobId: run.jobId, accountId, epoch: run.epoch }],
        heldAccounts: [{ accountId, epoch: run.epoch }],
      },
      [WorkerEvent.Heartbeat]: { stats: { rssBytes: 1, browserRssBytes: 0, cpuPercent: 0, liveContexts: 1, runningJobs: 1 }, browsers: [browser] },
      [WorkerEvent.JobProgress]: { ...ref, percent: 50, step: 'forged' },
      [WorkerEvent.JobResult]: { ...ref, status: 'succeeded', result: { forged: true } },
      [WorkerEvent.JobLog]: { ...ref, lines: ['forged line'] },
      [WorkerEvent.LoginQrCode]: { ...ref, dataUrl: 'data:image/png;base64,AAAA' },
      [WorkerEvent.LoginStatus]: { ...ref, status: 'success' },
      [WorkerEvent.MessageDetected]: { ...ref, messages: [{ kind: 'comment', platformMessageId: 'forged-1', author: 'x', text: 'forged' }] },
      [WorkerEvent.ReplyResult]: { ...ref, replyId: 'forged-reply', alreadyPosted: false },
      [WorkerEvent.StateSnapshot]: { accountId, epoch: run.epoch, version: 99, storageState: { cookies: [], origins: [] } },
      [WorkerEvent.AccountBrowser]: { ...browser, epoch: run.epoch },
      [WorkerEvent.HumanNeeded]: { ...ref, reason: 'forged', timeoutMs: 1000 },
      [WorkerEvent.LiveFrame]: { accountId, epoch: run.epoch, seq: 0, data: '/9j/forged', width: 10, height: 10 },
      [WorkerEvent.LiveState]: {
        holds: [{ accountId, epoch: run.epoch, hold: { by: 'forged', role: 'admin', claimedAt: new Date().toISOString(), jobId: run.jobId } }],
        waiting: [{ ...ref, reason: 'forged', expiresAt: new Date(Date.now() + 60_000).toISOString() }],
      },
    };
    expect(Object.keys(reports).sort()).toEqual(Object.values(WorkerEvent).sort());
    const observe = async (): Promise<unknown> => {
      const job = await fx.job(run.jobId);
      const account = (await fx.api('GET', `/accounts/${accountId}`)).body;
      const log = (await fx.api('GET', `/jobs/${run.jobId}/log`)).body;
      const messages = (await fx.api('GET', `/messages?accountId=${accountId}`)).body;
      // A forged hold or wait would show as the account's takeover.
      const takeover = (await fx.api('GET', `/accounts/${accountId}/takeover`)).body;
      return {
        job,
        account,
        log,
        messages,
        takeover,
        stored: fx.master.store.db.prepare('SELECT storage_state_version, owner_worker_id FROM accounts WHERE id = ?').get(accountId),
      };
    };
    const failures: string[] = [];
    for (const [event, payload] of Object.entries(reports)) {
      const before = await observe();
      await (intruder.socket.timeout(5000) as unknown as { emitWithAck(e: string, p: unknown): Promise<unknown> })
        .emitWithAck(event, payload)
        .catch(() => undefined);
      const after = await observe();
      if (JSON.stringify(after) !== JSON.stringify(before)) failures.push(`${event} changed the owner's job or account`);
    }
    expect(failures).toEqual([]);
    expect(owner.socket.connected).toBe(true);
  });
});
