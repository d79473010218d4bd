import { afterEach, describe, expect, it } from 'vitest';
import { MasterFixture } from './support/master-fixture.js';
import { waitUntil } from './support/wait-until.js';

describe('editing and deleting accounts', () => {
  let fx: MasterFixture;
  afterEach(async () => {
    await fx?.close();
  });

  it('keeps a secret left blank, replaces one given, and re-sends the assignment with the new secrets', async () => {
    fx = await MasterFixture.start();
    const worker = await fx.worker('w1').start();
    const account = await fx.createAccount({
      platform: 'sandbox',
      credentials: { username: 'alice', password: 'first-pass-1' },
      proxy: 'http://pu:pp-secret@127.0.0.1:8080',
    });
    await worker.waitForAssign(account.id);

    const blank = await fx.api('PATCH', `/accounts/${account.id}`, { label: 'renamed', credentials: { password: '' }, proxy: '' });
    expect(blank.status).toBe(200);
    expect(blank.body).toMatchObject({ label: 'renamed', credentials: { username: 'alice', password: '********' }, proxy: 'http://pu:****@127.0.0.1:8080' });

    const changed = await fx.api('PATCH', `/accounts/${account.id}`, { credentials: { password: 'second-pass-2' }, tags: ['pool-x'] });
    expect(changed.body.tags).toEqual(['pool-x']);
    const resent = await waitUntil('the assignment with the new password', () =>
      worker.assigns.find((a) => a.accountId === account.id && a.credentials?.password === 'second-pass-2'),
    );
    expect(resent).toMatchObject({ epoch: 1, credentials: { username: 'alice', password: 'second-pass-2' }, proxy: 'http://pu:pp-secret@127.0.0.1:8080' });
    expect(JSON.stringify(changed.body)).not.toContain('second-pass-2');

    const cleared = await fx.api('PATCH', `/accounts/${account.id}`, { proxy: null });
    expect(cleared.body.proxy).toBeNull();
  });

  it('refuses a bad PATCH naming the field and changes nothing', async () => {
    fx = await MasterFixture.start();
    const account = await fx.createAccount({ platform: 'sandbox', label: 'kept' });
    const res = await fx.api('PATCH', `/accounts/${account.id}`, { label: 'new', proxy: 'ftp://x:1' });
    expect(res.status).toBe(400);
    expect(res.body.field).toBe('proxy');
    expect((await fx.api('GET', `/accounts/${account.id}`)).body.label).toBe('kept');
    expect((await fx.api('PATCH', '/accounts/nope', { label: 'x' })).status).toBe(404);
  });

  it('deletes an account: its queued jobs are cancelled, its owner gets a revoke, finished jobs stay', async () => {
    fx = await MasterFixture.start();
    const worker = await fx.worker('w1').start();
    const account = await fx.createAccount({ platform: 'sandbox' });
    await worker.waitForAssign(account.id);
    const done = await fx.createJob({ type: 'crawl', accountId: account.id });
    const run = await worker.waitForRun(0);
    await worker.succeed(run, { ok: true });
    await fx.waitForJob(done.id, 'succeeded', (j) => j.status === 'succeeded');
    const running = await fx.createJob({ type: 'crawl', accountId: account.id });
    await worker.waitForRun(1);

    // Not while a job of it runs.
    expect((await fx.api('DELETE', `/accounts/${account.id}`)).status).toBe(409);
    await worker.succeed(worker.runs[1]!);
    await fx.waitForJob(running.id, 'succeeded', (j) => j.status === 'succeeded');

    const deleted = await fx.api('DELETE', `/accounts/${account.id}`);
    expect(deleted.status).toBe(204);
    expect((await fx.api('GET', `/accounts/${account.id}`)).status).toBe(404);
    await waitUntil('the revoke', () => worker.revokes.find((r) => r.accountId === account.id));
    const history = await fx.job(done.id);
    expect(history).toMatchObject({ status: 'succeeded', accountId: null });
  });
});

describe('API tokens', () => {
  let fx: MasterFixture;
  afterEach(async () => {
    await fx?.close();
  });

  it('creates a token shown once, stores it hashed, enforces its role, and revokes it', async () => {
    fx = await MasterFixture.start();
    const created = await fx.api('POST', '/tokens', { name: 'dash', role: 'viewer' });
    expect(created.status).toBe(201);
    const viewer: string = created.body.token;
    expect((await fx.api('GET', '/tokens')).body.items).toEqual([
      expect.objectContaining({ id: created.body.id, name: 'dash', role: 'viewer', revokedAt: null }),
    ]);
    expect(JSON.stringify((await fx.api('GET', '/tokens')).body)).not.toContain(viewer);

    expect((await fx.api('GET', '/accounts', undefined, viewer)).status).toBe(200);
    const refused = await fx.api('POST', '/accounts', { platform: 'sandbox' }, viewer);
    expect(refused).toMatchObject({ status: 403, body: { code: 'FORBIDDEN' } });
    expect((await fx.api('POST', '/tokens', { name: 'x', role: 'admin' }, viewer)).status).toBe(403);

    expect((await fx.api('DELETE', `/tokens/${created.body.id}`)).status).toBe(204);
    expect((await fx.api('GET', '/accounts', undefined, viewer)).status).toBe(401);
  });
});
