import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { MasterFixture } from './support/master-fixture.js';
import { sleep, waitUntil } from './support/wait-until.js';

const PASSWORD = 'alice-Plain-Password-7f3a';
const PROXY = 'http://puser:ppass@127.0.0.1:8080';
const MASKED_PROXY = 'http://puser:****@127.0.0.1:8080';

describe('account secrets: masked in every response, sealed at rest, opened only for the owner worker', () => {
  let fx: MasterFixture;
  afterEach(async () => {
    await fx?.close();
  });

  async function createSecretAccount(): Promise<any> {
    const res = await fx.api('POST', '/accounts', {
      platform: 'sandbox',
      label: 'alice',
      credentials: { username: 'alice', password: PASSWORD },
      proxy: PROXY,
    });
    expect(res.status).toBe(201);
    return res.body;
  }

  /** The bytes of master.db and its WAL (the WAL holds the newest pages until a checkpoint). */
  function databaseBytes(): Buffer {
    const files = [fx.dbFile, `${fx.dbFile}-wal`].filter((f) => existsSync(f));
    return Buffer.concat(files.map((f) => readFileSync(f)));
  }

  it('masks the password and the proxy password in POST, GET and list responses', async () => {
    fx = await MasterFixture.start();
    const created = await createSecretAccount();
    const fetched = await fx.api('GET', `/accounts/${created.id}`);
    const listed = await fx.api('GET', '/accounts');
    for (const view of [created, fetched.body, listed.body.items[0]]) {
      expect(view).toMatchObject({ id: created.id, credentials: { username: 'alice', password: '********' }, proxy: MASKED_PROXY });
      const text = JSON.stringify(view);
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toContain('ppass');
    }
  });

  it('never writes the plain password or proxy password to master.db or its WAL', async () => {
    fx = await MasterFixture.start();
    await createSecretAccount();
    await createSecretAccount();
    // While the master runs, the rows sit in the WAL; the check is empty if there is no WAL.
    expect(readFileSync(`${fx.dbFile}-wal`).length).toBeGreaterThan(0);
    let bytes = databaseBytes();
    expect(bytes.includes('alice')).toBe(true); // the username is stored as it is: the file was really read
    expect(bytes.includes(PASSWORD)).toBe(false);
    expect(bytes.includes('ppass')).toBe(false);

    await fx.stopMaster(); // checkpoints the WAL into the main file
    bytes = databaseBytes();
    expect(bytes.includes(PASSWORD)).toBe(false);
    expect(bytes.includes('ppass')).toBe(false);
  });

  it('sends the real credentials and proxy in task:assign after a restart with the same key and data dir', async () => {
    fx = await MasterFixture.start();
    const account = await createSecretAccount();
    await fx.stopMaster();
    await fx.startMaster();

    const worker = await fx.worker('w1').start();
    const assign = await worker.waitForAssign(account.id);
    expect(assign).toMatchObject({
      accountId: account.id,
      platform: 'sandbox',
      epoch: 1,
      credentials: { username: 'alice', password: PASSWORD },
      proxy: PROXY,
    });
  });

  describe('after a restart with a different key', () => {
    async function restartWithOtherKey(): Promise<{ unreadable: any; readable: any }> {
      fx = await MasterFixture.start();
      const unreadable = await createSecretAccount();
      await fx.stopMaster();
      await fx.startMaster(randomBytes(32));
      const readable = await fx.createAccount({ platform: 'sandbox', label: 'bob', credentials: { username: 'bob', password: 'bob-secret' } });
      return { unreadable, readable };
    }

    it('keeps serving, never assigns the unreadable account, and still runs the other accounts', async () => {
      const { unreadable, readable } = await restartWithOtherKey();
      const stuck = await fx.createJob({ type: 'crawl', accountId: unreadable.id });
      const fine = await fx.createJob({ type: 'crawl', accountId: readable.id });
      const worker = await fx.worker('w1').start();

      const assign = await worker.waitForAssign(readable.id);
      expect(assign.credentials).toEqual({ username: 'bob', password: 'bob-secret' });
      const run = await worker.waitForRun(0);
      expect(run.jobId).toBe(fine.id);
      await sleep(300);
      expect(worker.assigns.map((a) => a.accountId)).toEqual([readable.id]);
      expect(worker.runs.map((r) => r.jobId)).toEqual([fine.id]);

      // The process is up and the API still answers: the masked view needs no key.
      expect((await fx.health()).status).toBe(200);
      const view = await fx.api('GET', `/accounts/${unreadable.id}`);
      expect(view.body).toMatchObject({ credentials: { username: 'alice', password: '********' }, proxy: MASKED_PROXY });
      expect(await fx.job(stuck.id)).toMatchObject({ status: 'failed', error: { code: 'ACCOUNT_UNREADABLE' } });
    });

    it('fails the jobs of an account whose secrets do not open, with an error that says why', async () => {
      const { unreadable } = await restartWithOtherKey();
      const job = await fx.createJob({ type: 'crawl', accountId: unreadable.id });
      await fx.worker('w1').start();
      const done = await waitUntil(
        'the job of the unreadable account to end',
        async () => {
          const view = await fx.job(job.id);
          return view.status === 'failed' ? view : undefined;
        },
        2_000,
      );
      expect(done.error).toMatchObject({ code: expect.any(String), message: expect.stringMatching(/key|secret|open/i) });
    });
  });
});
