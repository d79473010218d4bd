import http from 'node:http';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MasterFixture } from './support/master-fixture.js';
import { waitUntil } from './support/wait-until.js';

interface RawAnswer {
  status: number;
  body: any;
}

/**
 * A PUT with headers of our choosing and a body sent as `chunks` (no Content-Length unless given),
 * answering with the master's status and JSON; `abortAfter` destroys the request after that many chunks.
 */
function put(url: string, headers: Record<string, string>, chunks: Buffer[], abortAfter?: number): Promise<RawAnswer | 'closed'> {
  return new Promise((resolve) => {
    const req = http.request(url, { method: 'PUT', headers, timeout: 5_000 });
    req.on('timeout', () => req.destroy(new Error('no answer within 5 s')));
    req.on('response', (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, body: text ? JSON.parse(text) : null }));
      res.on('error', () => resolve('closed'));
    });
    req.on('error', () => resolve('closed'));
    void (async () => {
      for (const [i, chunk] of chunks.entries()) {
        if (req.destroyed) return;
        req.write(chunk);
        if (abortAfter !== undefined && i + 1 >= abortAfter) {
          await new Promise((r) => setTimeout(r, 100));
          req.destroy();
          resolve('closed');
          return;
        }
        await new Promise((r) => setImmediate(r));
      }
      req.end();
    })();
  });
}

describe('artifact uploads: the worker running the attempt, auth before the body, streamed to disk under a cap', () => {
  let fx: MasterFixture;
  afterEach(async () => {
    await fx?.close();
  });

  /** A master whose artifact cap is `maxBytes`, with worker w1 running a crawl job at attempt 1. */
  async function runningJob(): Promise<{ jobId: string; url: (name: string) => string; headers: Record<string, string> }> {
    fx = await MasterFixture.start({ maxArtifactBytes: 4096 });
    const worker = await fx.worker('w1').start();
    const account = await fx.createAccount();
    const job = await fx.createJob({ type: 'crawl', accountId: account.id });
    await worker.waitForRun(0);
    await fx.waitForJob(job.id, 'running', (j) => j.status === 'running');
    return {
      jobId: job.id,
      url: (name) => `${fx.url}/api/v1/worker/jobs/${job.id}/artifacts/${name}`,
      headers: { authorization: `Bearer ${fx.workerToken}`, 'x-fleet-worker': 'w1', 'x-fleet-attempt': '1', 'content-type': 'application/octet-stream' },
    };
  }

  function recorded(jobId: string): string[] {
    return (fx.master.store.db.prepare('SELECT name FROM artifacts WHERE job_id = ? ORDER BY name').all(jobId) as { name: string }[]).map((r) => r.name);
  }

  function filesOf(jobId: string): string[] {
    const dir = path.join(fx.dataDir, 'artifacts', jobId);
    return existsSync(dir) ? readdirSync(dir).sort() : [];
  }

  it('refuses a wrong token before reading a byte of a huge declared body', async () => {
    const { url, headers } = await runningJob();
    // Only the headers go out: an answer can only come from a check made before the body.
    const answer = await put(url('trace.zip'), { ...headers, authorization: 'Bearer fww_wrong', 'content-length': String(100 * 1024 * 1024) }, []);
    expect(answer).toMatchObject({ status: 401, body: { code: 'UNAUTHORIZED' } });
  });

  it('streams an upload from the worker running the attempt to a 0600 file in a 0700 directory', async () => {
    const { jobId, url, headers } = await runningJob();
    const chunks = Array.from({ length: 8 }, (_, i) => Buffer.alloc(256, 97 + i));
    expect(await put(url('run.log'), headers, chunks)).toMatchObject({ status: 201, body: { name: 'run.log', size: 2048 } });
    expect(recorded(jobId)).toEqual(['run.log']);
    expect(filesOf(jobId)).toEqual(['run.log']);
    const file = path.join(fx.dataDir, 'artifacts', jobId, 'run.log');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect(statSync(path.join(fx.dataDir, 'artifacts')).mode & 0o777).toBe(0o700);
    const download = await fetch(`${fx.url}/api/v1/jobs/${jobId}/artifacts/run.log`, { headers: { authorization: `Bearer ${fx.apiToken}` } });
    expect(Buffer.from(await download.arrayBuffer())).toEqual(Buffer.concat(chunks));
  });

  it('refuses an upload for another attempt, or from another worker, with 409 NOT_OWNER; a missing attempt with 400 naming it', async () => {
    const { jobId, url, headers } = await runningJob();
    await fx.worker('w2').start();
    const body = [Buffer.from('x')];
    expect(await put(url('run.log'), { ...headers, 'x-fleet-attempt': '2' }, body)).toMatchObject({
      status: 409,
      body: { code: 'NOT_OWNER', field: 'x-fleet-attempt' },
    });
    expect(await put(url('run.log'), { ...headers, 'x-fleet-worker': 'w2' }, body)).toMatchObject({ status: 409, body: { code: 'NOT_OWNER' } });
    const { 'x-fleet-attempt': _attempt, ...noAttempt } = headers;
    expect(await put(url('run.log'), noAttempt, body)).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED', field: 'x-fleet-attempt' } });
    expect(recorded(jobId)).toEqual([]);
  });

  it('answers a declared body over the cap 413 TOO_LARGE naming the body, and writes nothing', async () => {
    const { jobId, url, headers } = await runningJob();
    expect(await put(url('trace.zip'), { ...headers, 'content-length': '5000' }, [Buffer.alloc(5000)])).toMatchObject({
      status: 413,
      body: { code: 'TOO_LARGE', field: 'body' },
    });
    expect(recorded(jobId)).toEqual([]);
    expect(filesOf(jobId)).toEqual([]);
  });

  it('stops a streamed body that grows past the cap, leaving no file, no temp file and no record', async () => {
    const { jobId, url, headers } = await runningJob();
    const answer = await put(
      url('trace.zip'),
      headers,
      Array.from({ length: 20 }, () => Buffer.alloc(1024)),
    );
    // The answer races the rest of the body: 413 when the client reads it first, a closed connection otherwise.
    if (answer !== 'closed') expect(answer).toMatchObject({ status: 413, body: { code: 'TOO_LARGE', field: 'body' } });
    await waitUntil('the temp file removed', () => (filesOf(jobId).length === 0 ? true : undefined));
    expect(recorded(jobId)).toEqual([]);
    // The same worker can still upload within the cap.
    expect(await put(url('trace.zip'), headers, [Buffer.alloc(1024)])).toMatchObject({ status: 201 });
  });

  it('leaves nothing half-written when the upload is aborted midway, and keeps the previous file', async () => {
    const { jobId, url, headers } = await runningJob();
    expect(await put(url('run.log'), headers, [Buffer.from('first version\n')])).toMatchObject({ status: 201 });
    expect(await put(url('run.log'), headers, [Buffer.alloc(512, 98), Buffer.alloc(512, 99), Buffer.alloc(512, 100)], 1)).toBe('closed');
    await waitUntil('the temp file removed', () => (filesOf(jobId).length === 1 ? true : undefined));
    expect(filesOf(jobId)).toEqual(['run.log']);
    const download = await fetch(`${fx.url}/api/v1/jobs/${jobId}/artifacts/run.log`, { headers: { authorization: `Bearer ${fx.apiToken}` } });
    expect(await download.text()).toBe('first version\n');
  });

  it('checks the worker through the injected WorkerAuth', async () => {
    fx = await MasterFixture.start({ workerAuth: { verify: (workerId, token) => workerId === 'w1' && token === 'w1-own-credential' } });
    const worker = await fx.worker('w1').start();
    const account = await fx.createAccount();
    const job = await fx.createJob({ type: 'crawl', accountId: account.id });
    await worker.waitForRun(0);
    await fx.waitForJob(job.id, 'running', (j) => j.status === 'running');
    const url = `${fx.url}/api/v1/worker/jobs/${job.id}/artifacts/run.log`;
    const headers = { 'x-fleet-worker': 'w1', 'x-fleet-attempt': '1' };
    expect(await put(url, { ...headers, authorization: `Bearer ${fx.workerToken}` }, [Buffer.from('x')])).toMatchObject({ status: 401 });
    expect(await put(url, { ...headers, authorization: 'Bearer w1-own-credential' }, [Buffer.from('x')])).toMatchObject({ status: 201 });
  });
});

describe('artifact downloads: session data for operators and admins only', () => {
  let fx: MasterFixture;
  afterEach(async () => {
    await fx?.close();
  });

  it('lets a viewer read run.log and result JSON, but not trace.zip or screenshots (403 FORBIDDEN)', async () => {
    fx = await MasterFixture.start();
    const worker = await fx.worker('w1').start();
    const account = await fx.createAccount();
    const job = await fx.createJob({ type: 'crawl', accountId: account.id });
    await worker.waitForRun(0);
    await fx.waitForJob(job.id, 'running', (j) => j.status === 'running');
    for (const name of ['run.log', 'result.json', 'trace.zip', 'login_failed.png']) {
      const res = await put(
        `${fx.url}/api/v1/worker/jobs/${job.id}/artifacts/${name}`,
        { authorization: `Bearer ${fx.workerToken}`, 'x-fleet-worker': 'w1', 'x-fleet-attempt': '1' },
        [Buffer.from(`${name} bytes`)],
      );
      expect(res, name).toMatchObject({ status: 201 });
    }
    const viewer = (await fx.api('POST', '/tokens', { name: 'wall screen', role: 'viewer' })).body.token as string;
    const operator = (await fx.api('POST', '/tokens', { name: 'ops', role: 'operator' })).body.token as string;
    const get = async (name: string, token: string): Promise<number> =>
      (await fetch(`${fx.url}/api/v1/jobs/${job.id}/artifacts/${name}`, { headers: { authorization: `Bearer ${token}` } })).status;
    expect(await get('run.log', viewer)).toBe(200);
    expect(await get('result.json', viewer)).toBe(200);
    expect(await get('trace.zip', viewer)).toBe(403);
    expect(await get('login_failed.png', viewer)).toBe(403);
    const refused = await fetch(`${fx.url}/api/v1/jobs/${job.id}/artifacts/trace.zip`, { headers: { authorization: `Bearer ${viewer}` } });
    expect(await refused.json()).toMatchObject({ code: 'FORBIDDEN', field: 'name' });
    expect(await get('trace.zip', operator)).toBe(200);
    expect(await get('login_failed.png', operator)).toBe(200);
    expect(await get('trace.zip', fx.apiToken)).toBe(200);
  });
});
