import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ClientEvent, type JobView } from '@fleetwright/shared';
import { MasterFixture } from './support/master-fixture.js';
import { waitUntil } from './support/wait-until.js';

// A decision's announcements (job:changed, job:progress, job:done...) describe writes: they must
// leave only once those writes are committed, and never for a decision that was undone.
describe("a decision's events", () => {
  let fx: MasterFixture;
  beforeEach(async () => {
    fx = await MasterFixture.start();
  });
  afterEach(async () => {
    await fx?.close();
  });

  it('are never sent for a decision that was undone', async () => {
    const account = await fx.createAccount();
    const client = fx.client();
    const heard: string[] = [];
    client.on(ClientEvent.JobProgress, (event) => heard.push(event.jobId));
    client.connect();
    await waitUntil('the /client socket to connect', () => (client.connected ? true : undefined));

    let undoneJobId: string | undefined;
    const undone = fx.master.scheduler.decide(async () => {
      const { job } = await fx.master.commands.create({ type: 'crawl', accountId: account.id, payload: { undone: true } });
      undoneJobId = job.id;
      throw new Error('the decision fails after its write');
    });
    await expect(undone).rejects.toThrow('the decision fails after its write');
    expect(undoneJobId).toBeDefined();

    // Events leave in order: once the next job's is heard, the undone one's would have been too.
    const marker = await fx.createJob({ type: 'crawl', accountId: account.id, payload: { marker: true } });
    await waitUntil("the marker job's announcement", () => (heard.includes(marker.id) ? true : undefined));
    expect(heard).not.toContain(undoneJobId);
    expect((await fx.api('GET', `/jobs/${undoneJobId}`)).status).toBe(404);
  });

  it('leave only once their writes are committed', async () => {
    const account = await fx.createAccount();
    // A second connection sees only committed rows, as any other reader of the store would.
    const reader = new Database(fx.dbFile, { readonly: true });
    const visibleWhenAnnounced = new Map<string, boolean>();
    const onChanged = (job: JobView): void => {
      if (visibleWhenAnnounced.has(job.id)) return;
      visibleWhenAnnounced.set(job.id, reader.prepare('SELECT 1 FROM jobs WHERE id = ?').get(job.id) !== undefined);
    };
    fx.master.events.on('job:changed', onChanged);
    fx.master.events.on('job:progress', onChanged);
    try {
      const single = await fx.createJob({ type: 'crawl', accountId: account.id, payload: { n: 0 } });
      const jobs = Array.from({ length: 5 }, (_, i) => ({ type: 'crawl', accountId: account.id, payload: { n: i + 1 } }));
      const bulk = await fx.api('POST', '/jobs/bulk', { jobs });
      expect(bulk.status).toBe(201);
      const ids = [single.id, ...(bulk.body.items as { id: string }[]).map(({ id }) => id)];
      await waitUntil('every job announced', () => (ids.every((id) => visibleWhenAnnounced.has(id)) ? true : undefined));
      for (const id of ids) expect(visibleWhenAnnounced.get(id), `job ${id} was committed when announced`).toBe(true);
    } finally {
      fx.master.events.off('job:changed', onChanged);
      fx.master.events.off('job:progress', onChanged);
      reader.close();
    }
  });
});
