import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MasterFixture } from './support/master-fixture.js';

/** What a worker declares: its plugin's zod payload schemas as JSON Schema (input side), as the job runner does. */
const LOGIN_PAYLOAD = z.strictObject({ method: z.enum(['password', 'qr']) });
const CRAWL_PAYLOAD = z.strictObject({ depth: z.number().int().min(1).max(5).default(1) });
const SANDBOX = {
  platform: 'sandbox',
  jobTypes: ['crawl', 'login'],
  payloadSchemas: {
    login: z.toJSONSchema(LOGIN_PAYLOAD, { io: 'input', unrepresentable: 'any' }),
    crawl: z.toJSONSchema(CRAWL_PAYLOAD, { io: 'input', unrepresentable: 'any' }),
  },
};

describe('jobs are checked at submit against what the workers declared', () => {
  let fx: MasterFixture;
  afterEach(async () => {
    await fx?.close();
  });

  async function jobsOf(accountId: string): Promise<any[]> {
    return (await fx.api('GET', `/jobs?accountId=${accountId}`)).body.items;
  }

  it('refuses a payload that fails the declared schema with 400 PAYLOAD_INVALID naming the field, and creates nothing', async () => {
    fx = await MasterFixture.start();
    await fx.worker('w1').start({ capabilities: [SANDBOX] });
    const account = await fx.createAccount();

    const wrongValue = await fx.api('POST', '/jobs', { type: 'login', accountId: account.id, payload: { method: 'sms' } });
    expect(wrongValue.status).toBe(400);
    expect(wrongValue.body).toMatchObject({ code: 'PAYLOAD_INVALID', field: 'payload.method' });

    const missing = await fx.api('POST', '/jobs', { type: 'login', accountId: account.id, payload: {} });
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ code: 'PAYLOAD_INVALID', field: 'payload.method' });

    const extra = await fx.api('POST', '/jobs', { type: 'crawl', accountId: account.id, payload: { depth: 2, follow: true } });
    expect(extra.status).toBe(400);
    expect(extra.body).toMatchObject({ code: 'PAYLOAD_INVALID', field: 'payload.follow' });

    const outOfRange = await fx.api('POST', '/jobs', { type: 'crawl', accountId: account.id, payload: { depth: 9 } });
    expect(outOfRange.body).toMatchObject({ code: 'PAYLOAD_INVALID', field: 'payload.depth' });

    expect(await jobsOf(account.id)).toEqual([]);
    const ok = await fx.api('POST', '/jobs', { type: 'login', accountId: account.id, payload: { method: 'qr' } });
    expect(ok.status).toBe(201);
    // Defaults of the schema are the worker's business: the stored payload is what was sent.
    const defaulted = await fx.api('POST', '/jobs', { type: 'crawl', accountId: account.id });
    expect(defaulted.status).toBe(201);
    expect((await jobsOf(account.id)).map((j) => j.type).sort()).toEqual(['crawl', 'login']);
  });

  it('refuses a job type the platform does not declare with 400 UNKNOWN_JOB_TYPE', async () => {
    fx = await MasterFixture.start();
    await fx.worker('w1').start({ capabilities: [SANDBOX] });
    const account = await fx.createAccount();

    const res = await fx.api('POST', '/jobs', { type: 'dance', accountId: account.id });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'UNKNOWN_JOB_TYPE', field: 'type' });
    expect(res.body.message).toMatch(/crawl, login/);
    expect(await jobsOf(account.id)).toEqual([]);
  });

  it('refuses an account for a platform no worker declared (400 UNKNOWN_PLATFORM), but accepts any before a worker declared one', async () => {
    fx = await MasterFixture.start();
    const early = await fx.api('POST', '/accounts', { platform: 'later' });
    expect(early.status).toBe(201);

    await fx.worker('w1').start({ capabilities: [SANDBOX] });
    const res = await fx.api('POST', '/accounts', { platform: 'nowhere' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'UNKNOWN_PLATFORM', field: 'platform' });
    const platforms = (await fx.api('GET', '/accounts')).body.items.map((a: any) => a.platform);
    expect(platforms).toEqual(['later']);
    expect((await fx.api('POST', '/accounts', { platform: 'sandbox' })).status).toBe(201);
  });

  it('refuses a monitor whose payload fails the schema', async () => {
    fx = await MasterFixture.start();
    await fx.worker('w1').start({ capabilities: [SANDBOX] });
    const account = await fx.createAccount();

    const res = await fx.api('POST', '/monitors', { accountId: account.id, payload: { depth: 'deep' }, minIntervalMs: 1_000, maxIntervalMs: 2_000 });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'PAYLOAD_INVALID', field: 'payload.depth' });
    expect((await fx.api('GET', `/monitors?accountId=${account.id}`)).body.items).toEqual([]);
  });

  it('refuses a whole batch when one child has a bad payload, creating neither the parent nor any child', async () => {
    fx = await MasterFixture.start();
    await fx.worker('w1').start({ capabilities: [SANDBOX] });
    const account = await fx.createAccount();

    const res = await fx.api('POST', '/batches', {
      children: [
        { type: 'crawl', accountId: account.id, payload: { depth: 1 } },
        { type: 'login', accountId: account.id, payload: { method: 'sms' } },
      ],
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'PAYLOAD_INVALID' });
    expect((await fx.api('GET', '/jobs')).body.items).toEqual([]);
  });

  it('refuses a pool job with a bad payload or an unknown type, like an account job', async () => {
    fx = await MasterFixture.start();
    await fx.worker('w1').start({ capabilities: [SANDBOX] });
    await fx.createAccount({ platform: 'sandbox', tags: ['crawlers'] });

    const badPayload = await fx.api('POST', '/jobs', { type: 'login', pool: 'crawlers', payload: { method: 'sms' } });
    const unknownType = await fx.api('POST', '/jobs', { type: 'dance', pool: 'crawlers' });
    expect({ status: badPayload.status, code: badPayload.body.code }).toEqual({ status: 400, code: 'PAYLOAD_INVALID' });
    expect({ status: unknownType.status, code: unknownType.body.code }).toEqual({ status: 400, code: 'UNKNOWN_JOB_TYPE' });
    expect((await fx.api('GET', '/jobs')).body.items).toEqual([]);
  });

  it("gives a job that names no deadline its plugin's declared timeout, keeps a job's own, and the master's default otherwise", async () => {
    fx = await MasterFixture.start();
    const worker = await fx.worker('w1').start({ capabilities: [{ ...SANDBOX, timeouts: { crawl: 120_000 } }] });
    const account = await fx.createAccount();
    await worker.waitForAssign(account.id);
    await fx.createJob({ type: 'crawl', accountId: account.id });
    const declared = await worker.waitForRun(0);
    expect(declared.timeoutMs).toBe(120_000);
    await worker.succeed(declared);
    await fx.createJob({ type: 'crawl', accountId: account.id, timeoutMs: 5_000 });
    const own = await worker.waitForRun(1);
    expect(own.timeoutMs).toBe(5_000);
    await worker.succeed(own);
    await fx.createJob({ type: 'login', accountId: account.id, payload: { method: 'password' } });
    expect((await worker.waitForRun(2)).timeoutMs).toBe(300_000);

    // A declared timeout outside 1 s–24 h is refused at registration, naming the field.
    const other = fx.worker('w2');
    await other.connect();
    const refused = await other.register({ capabilities: [{ ...SANDBOX, timeouts: { crawl: 10 } }] });
    expect(refused).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED', field: 'capabilities.0.timeouts.crawl' } });
  });
});
