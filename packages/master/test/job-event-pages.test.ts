import { afterEach, describe, expect, it } from 'vitest';
import { MasterFixture } from './support/master-fixture.js';

describe('GET /jobs/:id/events pages like the other lists', () => {
  let fx: MasterFixture;
  afterEach(async () => {
    await fx?.close();
  });

  it('answers the timeline oldest first in pages of ?limit=, with a cursor to the next page', async () => {
    fx = await MasterFixture.start();
    const account = await fx.createAccount();
    const job = await fx.createJob({ type: 'crawl', accountId: account.id });
    const insert = fx.master.store.db.prepare('INSERT INTO job_events (job_id, at, kind, data) VALUES (?, ?, ?, ?)');
    for (let i = 0; i < 7; i++) insert.run(job.id, Date.now(), 'progress', JSON.stringify({ n: i }));
    const all = (await fx.api('GET', `/jobs/${job.id}/events?limit=500`)).body;
    expect(all.nextCursor).toBeNull();
    const total = all.items.length;
    expect(total).toBeGreaterThanOrEqual(7);

    const seen: unknown[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await fx.api('GET', `/jobs/${job.id}/events?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(3);
      seen.push(...res.body.items);
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor && pages < 20);
    expect(pages).toBe(Math.ceil(total / 3));
    expect(seen).toEqual(all.items);
    expect(seen.filter((e: any) => e.kind === 'progress').map((e: any) => e.data.n)).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('refuses a bad limit or cursor with 400 naming it', async () => {
    fx = await MasterFixture.start();
    const account = await fx.createAccount();
    const job = await fx.createJob({ type: 'crawl', accountId: account.id });
    expect((await fx.api('GET', `/jobs/${job.id}/events?limit=0`)).body).toMatchObject({ code: 'VALIDATION_FAILED', field: 'limit' });
    expect((await fx.api('GET', `/jobs/${job.id}/events?cursor=abc`)).body).toMatchObject({ code: 'VALIDATION_FAILED', field: 'cursor' });
  });
});
