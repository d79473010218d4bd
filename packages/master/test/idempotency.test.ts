import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MasterFixture } from './support/master-fixture.js';

describe('an idempotency key names one request', () => {
  let fx: MasterFixture;
  beforeEach(async () => {
    fx = await MasterFixture.start();
  });
  afterEach(async () => {
    await fx?.close();
  });

  it('returns the same job for the same body (keys in any order), and refuses a different body with 409 CONFLICT naming idempotencyKey', async () => {
    const account = await fx.createAccount();
    const body = { type: 'crawl', accountId: account.id, payload: { pages: 2, since: 'yesterday' }, idempotencyKey: 'crawl-42' };
    const first = await fx.api('POST', '/jobs', body);
    expect(first.status).toBe(201);

    const reordered = { idempotencyKey: 'crawl-42', payload: { since: 'yesterday', pages: 2 }, accountId: account.id, type: 'crawl' };
    const again = await fx.api('POST', '/jobs', reordered);
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);

    const different = await fx.api('POST', '/jobs', { ...body, payload: { pages: 3, since: 'yesterday' } });
    expect(different.status).toBe(409);
    expect(different.body).toMatchObject({ code: 'CONFLICT', field: 'idempotencyKey' });
    const listed = (await fx.api('GET', '/jobs')).body.items;
    expect(listed.map((j: any) => j.id)).toEqual([first.body.id]);
  });

  it('refuses a batch re-posted under its key with other children', async () => {
    const account = await fx.createAccount();
    const body = { idempotencyKey: 'batch-7', children: [{ type: 'crawl', accountId: account.id }] };
    const first = await fx.api('POST', '/batches', body);
    expect(first.status).toBe(201);
    expect((await fx.api('POST', '/batches', body)).body.id).toBe(first.body.id);
    const different = await fx.api('POST', '/batches', {
      ...body,
      children: [
        { type: 'crawl', accountId: account.id },
        { type: 'crawl', accountId: account.id },
      ],
    });
    expect(different.status).toBe(409);
    expect(different.body).toMatchObject({ code: 'CONFLICT', field: 'idempotencyKey' });
  });
});
