import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MasterFixture } from './support/master-fixture.js';

describe('REST refuses bad input with { code, message, field } and writes nothing', () => {
  let fx: MasterFixture;
  beforeEach(async () => {
    fx = await MasterFixture.start();
  });
  afterEach(async () => {
    await fx?.close();
  });

  async function expectNoAccounts(): Promise<void> {
    const list = await fx.api('GET', '/accounts');
    expect(list.status).toBe(200);
    expect(list.body).toEqual({ items: [], nextCursor: null });
  }

  async function expectNoJobs(): Promise<void> {
    const list = await fx.api('GET', '/jobs');
    expect(list.status).toBe(200);
    expect(list.body).toEqual({ items: [], nextCursor: null });
  }

  it('refuses an account without a platform, naming the field platform', async () => {
    const res = await fx.api('POST', '/accounts', { label: 'no platform' });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ code: 'VALIDATION_FAILED', message: expect.stringContaining('platform'), field: 'platform' });
    await expectNoAccounts();
  });

  it('refuses an account with an unknown extra key, naming that key as the field', async () => {
    const res = await fx.api('POST', '/accounts', { platform: 'sandbox', nickname: 'extra' });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ code: 'VALIDATION_FAILED', message: expect.stringContaining('nickname'), field: 'nickname' });
    await expectNoAccounts();
  });

  it('refuses an account with an unknown extra key with 400 VALIDATION_FAILED and creates nothing', async () => {
    const res = await fx.api('POST', '/accounts', { platform: 'sandbox', nickname: 'extra' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringContaining('nickname') });
    await expectNoAccounts();
  });

  it.each([
    ['no port', 'http://puser:ppass@127.0.0.1'],
    ['an unsupported scheme', 'ftp://127.0.0.1:21'],
    ['not a URL', 'proxy please'],
    ['a path', 'http://127.0.0.1:8080/x'],
  ])('refuses an account whose proxy has %s, naming the field proxy', async (_what, proxy) => {
    const res = await fx.api('POST', '/accounts', { platform: 'sandbox', proxy });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ code: 'VALIDATION_FAILED', message: expect.stringMatching(/^proxy: /), field: 'proxy' });
    await expectNoAccounts();
  });

  it('refuses credentials without a password, naming the field credentials.password', async () => {
    const res = await fx.api('POST', '/accounts', { platform: 'sandbox', credentials: { username: 'alice' } });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ code: 'VALIDATION_FAILED', message: expect.stringMatching(/^credentials\.password: /), field: 'credentials.password' });
    await expectNoAccounts();
  });

  it('refuses a body that is not JSON, naming the field body', async () => {
    const res = await fx.api('POST', '/accounts', '{"platform": "sandbox",');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ code: 'VALIDATION_FAILED', message: expect.any(String), field: 'body' });
    await expectNoAccounts();
    const job = await fx.api('POST', '/jobs', '{not json');
    expect(job.status).toBe(400);
    expect(job.body).toMatchObject({ code: 'VALIDATION_FAILED', field: 'body' });
    await expectNoJobs();
  });

  it('refuses a job that names neither accountId nor pool, naming the field accountId', async () => {
    const res = await fx.api('POST', '/jobs', { type: 'login' });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ code: 'VALIDATION_FAILED', message: expect.stringMatching(/^accountId: /), field: 'accountId' });
    await expectNoJobs();
  });

  it('refuses a job for an unknown account with 404 ACCOUNT_NOT_FOUND on the field accountId', async () => {
    const res = await fx.api('POST', '/jobs', { type: 'login', accountId: 'no-such-account' });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ code: 'ACCOUNT_NOT_FOUND', message: expect.stringContaining('no-such-account'), field: 'accountId' });
    await expectNoJobs();
  });

  it('refuses a job for an account deleted after an earlier job of it, alone and in bulk, with 404 ACCOUNT_NOT_FOUND', async () => {
    const account = await fx.api('POST', '/accounts', { platform: 'sandbox' });
    const id = (account.body as { id: string }).id;
    const first = await fx.api('POST', '/jobs', { type: 'login', accountId: id });
    expect(first.status).toBe(201);
    expect((await fx.api('POST', `/jobs/${(first.body as { id: string }).id}/cancel`)).status).toBe(200);
    expect((await fx.api('DELETE', `/accounts/${id}`)).status).toBe(204);
    const again = await fx.api('POST', '/jobs', { type: 'login', accountId: id });
    expect(again.status).toBe(404);
    expect(again.body).toMatchObject({ code: 'ACCOUNT_NOT_FOUND', field: 'accountId' });
    const bulk = await fx.api('POST', '/jobs/bulk', { jobs: [{ type: 'login', accountId: id }] });
    expect(bulk.status).toBe(404);
    expect(bulk.body).toMatchObject({ code: 'ACCOUNT_NOT_FOUND', field: 'jobs.0.accountId' });
    const list = await fx.api('GET', '/jobs');
    expect((list.body as { items: { status: string }[] }).items.map((j) => j.status)).toEqual(['cancelled']);
  });

  it('refuses a job type the platform does not have once a worker declared the platform', async () => {
    const account = await fx.createAccount({ platform: 'sandbox' });
    // Before any worker declared `sandbox`, any well-formed type is accepted and waits.
    const early = await fx.api('POST', '/jobs', { type: 'dance', accountId: account.id });
    expect(early.status).toBe(201);
    await fx.api('POST', `/jobs/${early.body.id}/cancel`);

    await fx.worker('w1').start({ capabilities: [{ platform: 'sandbox', jobTypes: ['crawl', 'login'] }] });
    const res = await fx.api('POST', '/jobs', { type: 'dance', accountId: account.id });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ code: 'UNKNOWN_JOB_TYPE', message: expect.stringContaining('dance'), field: 'type' });
    const jobs = await fx.api('GET', '/jobs');
    expect(jobs.body.items.map((j: { id: string }) => j.id)).toEqual([early.body.id]);
  });

  it('answers GET /jobs/<unknown> with 404 JOB_NOT_FOUND', async () => {
    const res = await fx.api('GET', '/jobs/no-such-job');
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ code: 'JOB_NOT_FOUND', message: expect.stringContaining('no-such-job') });
  });

  it('answers 401 UNAUTHORIZED without a token or with a wrong one, and writes nothing', async () => {
    for (const token of [null, 'fwa_wrong-token']) {
      const read = await fx.api('GET', '/accounts', undefined, token);
      expect(read.status).toBe(401);
      expect(read.body).toMatchObject({ code: 'UNAUTHORIZED', message: expect.any(String) });
      const write = await fx.api('POST', '/accounts', { platform: 'sandbox' }, token);
      expect(write.status).toBe(401);
      expect(write.body.code).toBe('UNAUTHORIZED');
    }
    const malformed = await fetch(`${fx.url}/api/v1/accounts`, { headers: { authorization: `Basic ${fx.apiToken}` }, signal: AbortSignal.timeout(5_000) });
    expect(malformed.status).toBe(401);
    await expectNoAccounts();
  });

  it('answers an unknown route with 404 NOT_FOUND', async () => {
    const res = await fx.api('GET', '/no-such-route');
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('/no-such-route') });
    const outside = await fetch(`${fx.url}/nowhere`, { signal: AbortSignal.timeout(5_000) });
    expect(outside.status).toBe(404);
    expect(await outside.json()).toMatchObject({ code: 'NOT_FOUND' });
  });
});
