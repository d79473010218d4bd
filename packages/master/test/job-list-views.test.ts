import { afterEach, describe, expect, it } from 'vitest';
import { MasterFixture } from './support/master-fixture.js';

describe('job lists show each job as its own view does', () => {
  let fx: MasterFixture;
  afterEach(async () => {
    await fx?.close();
  });

  it('lists a finished job with its artifacts and a batch with its children, as GET /jobs/:id shows them', async () => {
    fx = await MasterFixture.start();
    const worker = await fx.worker('w1').start();
    const [a, b, c] = [await fx.createAccount(), await fx.createAccount(), await fx.createAccount()];
    const batch = (
      await fx.api('POST', '/batches', {
        children: [
          { type: 'crawl', accountId: a.id },
          { type: 'crawl', accountId: b.id },
        ],
      })
    ).body;
    const job = await fx.createJob({ type: 'crawl', accountId: c.id });
    await fx.waitForJob(job.id, 'running', (j) => j.status === 'running');
    const run = worker.runs.find((r) => r.jobId === job.id)!;
    const headers = { authorization: `Bearer ${fx.workerToken}`, 'x-fleet-worker': 'w1', 'x-fleet-attempt': '1', 'content-type': 'application/octet-stream' };
    for (const name of ['run.log', 'page.png']) {
      const res = await fetch(`${fx.url}/api/v1/worker/jobs/${job.id}/artifacts/${encodeURIComponent(name)}`, {
        method: 'PUT',
        headers,
        body: `bytes of ${name}`,
      });
      expect(res.status).toBe(201);
    }
    expect((await worker.succeed(run)).ok).toBe(true);
    await fx.waitForJob(job.id, 'succeeded', (j) => j.status === 'succeeded');

    const list = (await fx.api('GET', '/jobs?limit=50')).body.items as any[];
    expect(list.map((j) => j.id).sort()).toEqual([batch.id, ...batch.childIds, job.id].sort());
    for (const listed of list) expect(listed).toEqual(await fx.job(listed.id));
    const finished = list.find((j) => j.id === job.id);
    expect(finished.artifacts).toEqual([
      { name: 'page.png', size: 'bytes of page.png'.length, url: `/api/v1/jobs/${job.id}/artifacts/page.png` },
      { name: 'run.log', size: 'bytes of run.log'.length, url: `/api/v1/jobs/${job.id}/artifacts/run.log` },
    ]);
    expect(list.find((j) => j.id === batch.id).childIds).toEqual(batch.childIds);
  });
});
