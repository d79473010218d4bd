import { existsSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MasterFixture } from './support/master-fixture.js';
import type { SimulatedWorker } from './support/simulated-worker.js';
import { sleep, waitUntil } from './support/wait-until.js';

const RETENTION_MS = 60_000;

describe('retention purges finished jobs past retentionMs', () => {
  let fx: MasterFixture;
  let worker: SimulatedWorker;
  beforeEach(async () => {
    fx = await MasterFixture.start({ retentionMs: RETENTION_MS });
    worker = await fx.worker('w1').start();
  });
  afterEach(async () => {
    await fx?.close();
  });

  function runOf(jobId: string): Promise<any> {
    return waitUntil(`job:run for ${jobId}`, () => worker.runs.find((r) => r.jobId === jobId));
  }

  async function finish(jobId: string, how: 'succeed' | 'fail' = 'succeed'): Promise<any> {
    const run = await runOf(jobId);
    const ack = how === 'succeed' ? await worker.succeed(run) : await worker.fail(run, { code: 'AUTH_FAILED', message: 'no' });
    expect(ack.ok).toBe(true);
    return fx.waitForJob(jobId, 'finished', (j) => j.finishedAt !== null);
  }

  /** Uploads an artifact the way a worker does (fleet token, X-Fleet-Worker, X-Fleet-Attempt) and returns its file on disk. */
  async function upload(jobId: string, name: string): Promise<string> {
    const res = await fetch(`${fx.url}/api/v1/worker/jobs/${jobId}/artifacts/${name}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${fx.workerToken}`, 'x-fleet-worker': 'w1', 'x-fleet-attempt': '1', 'content-type': 'application/octet-stream' },
      body: `log of ${jobId}`,
      signal: AbortSignal.timeout(5_000),
    });
    expect(res.status).toBe(201);
    const row = fx.master.store.db.prepare('SELECT path FROM artifacts WHERE job_id = ? AND name = ?').get(jobId, name) as { path: string };
    expect(existsSync(row.path)).toBe(true);
    return row.path;
  }

  function count(sql: string, ...params: unknown[]): number {
    return (fx.master.store.db.prepare(sql).get(...params) as { n: number }).n;
  }

  /** `now` such that `finishedAt` is exactly at the cutoff: it and anything later stays. */
  function purgeKeepingFrom(finishedAt: string): Promise<number> {
    return fx.master.retention.purge(Date.parse(finishedAt) + RETENTION_MS);
  }

  it('deletes old finished jobs with their events, artifact rows and files; keeps recent and unfinished jobs', async () => {
    const a = await fx.createAccount();
    const b = await fx.createAccount();
    const old = await fx.createJob({ type: 'crawl', accountId: a.id });
    await finish(old.id);
    const oldFile = await upload(old.id, 'run.log');
    const running = await fx.createJob({ type: 'crawl', accountId: b.id });
    await runOf(running.id);
    const queued = await fx.createJob({ type: 'crawl', accountId: a.id, runAfter: new Date(Date.now() + 3_600_000).toISOString() });
    await sleep(20);
    const recent = await fx.createJob({ type: 'crawl', accountId: a.id });
    const recentDone = await finish(recent.id);
    const recentFile = await upload(recent.id, 'run.log');
    expect(count('SELECT COUNT(*) AS n FROM job_events WHERE job_id = ?', old.id)).toBeGreaterThan(0);

    expect(await purgeKeepingFrom(recentDone.finishedAt)).toBe(1);

    expect((await fx.api('GET', `/jobs/${old.id}`)).status).toBe(404);
    expect(count('SELECT COUNT(*) AS n FROM job_events WHERE job_id = ?', old.id)).toBe(0);
    expect(count('SELECT COUNT(*) AS n FROM artifacts WHERE job_id = ?', old.id)).toBe(0);
    expect(existsSync(oldFile)).toBe(false);

    expect(await fx.job(recent.id)).toMatchObject({ status: 'succeeded', artifacts: [expect.objectContaining({ name: 'run.log' })] });
    expect(existsSync(recentFile)).toBe(true);
    expect((await fx.job(running.id)).status).toBe('running');
    expect((await fx.job(queued.id)).status).toBe('queued');
  });

  it('purges an old finished batch together with its children, leaving no child behind', async () => {
    const a = await fx.createAccount();
    const batch = (
      await fx.api('POST', '/batches', {
        children: [
          { type: 'crawl', accountId: a.id },
          { type: 'crawl', accountId: a.id },
        ],
      })
    ).body;
    for (const id of batch.childIds) await finish(id);
    const done = await fx.waitForJob(batch.id, 'succeeded', (j) => j.status === 'succeeded');

    await fx.master.retention.purge(Date.parse(done.finishedAt) + RETENTION_MS + 1);
    expect(count('SELECT COUNT(*) AS n FROM jobs')).toBe(0);
    expect(count('SELECT COUNT(*) AS n FROM job_events')).toBe(0);
    for (const id of [batch.id, ...batch.childIds]) expect((await fx.api('GET', `/jobs/${id}`)).status).toBe(404);
  });

  it('reports how many jobs it purged, children included', async () => {
    const a = await fx.createAccount();
    const batch = (
      await fx.api('POST', '/batches', {
        children: [
          { type: 'crawl', accountId: a.id },
          { type: 'crawl', accountId: a.id },
        ],
      })
    ).body;
    for (const id of batch.childIds) await finish(id);
    const done = await fx.waitForJob(batch.id, 'succeeded', (j) => j.status === 'succeeded');

    expect(await fx.master.retention.purge(Date.parse(done.finishedAt) + RETENTION_MS + 1)).toBe(3);
  });

  it('keeps an old finished parent while one of its children finished recently, so no child points at a deleted parent', async () => {
    const a = await fx.createAccount();
    const b = await fx.createAccount();
    const batch = (
      await fx.api('POST', '/batches', {
        stopOnFailure: true,
        children: [
          { type: 'crawl', accountId: a.id },
          { type: 'crawl', accountId: b.id },
        ],
      })
    ).body;
    const [failing, slow] = batch.childIds as string[];
    const slowRun = await runOf(slow!);
    await finish(failing!, 'fail');
    const parent = await fx.waitForJob(batch.id, 'failed', (j) => j.status === 'failed');
    await waitUntil('job:cancel for the slow sibling', () => worker.cancels.find((c) => c.jobId === slow));
    await sleep(20);
    expect((await worker.result({ ...pick(slowRun), status: 'cancelled' })).ok).toBe(true);
    const slowDone = await fx.waitForJob(slow!, 'cancelled', (j) => j.status === 'cancelled');
    expect(Date.parse(slowDone.finishedAt)).toBeGreaterThan(Date.parse(parent.finishedAt));

    await purgeKeepingFrom(slowDone.finishedAt); // the parent is past the cutoff, its slow child is not
    expect((await fx.api('GET', `/jobs/${batch.id}`)).status).toBe(200);
    expect((await fx.job(slow!)).parentId).toBe(batch.id);
    expect(count('SELECT COUNT(*) AS n FROM jobs c WHERE c.parent_id IS NOT NULL AND c.parent_id NOT IN (SELECT id FROM jobs)')).toBe(0);

    await fx.master.retention.purge(Date.parse(slowDone.finishedAt) + RETENTION_MS + 1);
    expect(count('SELECT COUNT(*) AS n FROM jobs')).toBe(0);
  });

  it('keeps the finished children of a batch that is still running, so the batch still fails when one of them failed', async () => {
    const a = await fx.createAccount();
    const b = await fx.createAccount();
    const batch = (
      await fx.api('POST', '/batches', {
        children: [
          { type: 'crawl', accountId: a.id },
          { type: 'crawl', accountId: b.id },
        ],
      })
    ).body;
    const [failed, running] = batch.childIds as string[];
    const runningRun = await runOf(running!);
    await finish(failed!, 'fail');

    await fx.master.retention.purge(Date.now() + RETENTION_MS + 1_000);
    expect((await fx.api('GET', `/jobs/${failed}`)).status).toBe(200);
    expect((await fx.job(batch.id)).childIds).toEqual([failed, running]);

    expect((await worker.succeed(runningRun)).ok).toBe(true);
    expect(await fx.waitForJob(batch.id, 'finished', (j) => j.finishedAt !== null)).toMatchObject({ status: 'failed' });
  });
});

function pick(run: { jobId: string; accountId: string; epoch: number; attempt: number }): { jobId: string; accountId: string; epoch: number; attempt: number } {
  return { jobId: run.jobId, accountId: run.accountId, epoch: run.epoch, attempt: run.attempt };
}
