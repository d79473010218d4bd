import { afterEach, describe, expect, it } from 'vitest';
import { MasterFixture } from './support/master-fixture.js';
import { sleep, waitUntil } from './support/wait-until.js';

/** Long enough for several scheduler passes (tick 50 ms) to have happened. */
const QUIET_WINDOW_MS = 300;

describe('draining a worker', () => {
  let fx: MasterFixture;
  afterEach(async () => {
    await fx?.close();
  });

  it('sends worker:drain, gives it no new job, lets its running job finish, then moves its accounts with a revoke', async () => {
    fx = await MasterFixture.start();
    const draining = await fx.worker('w1').start();
    const busy = await fx.createAccount();
    const idle = await fx.createAccount();
    await draining.waitForAssign(busy.id);
    await draining.waitForAssign(idle.id);
    const other = await fx.worker('w2').start();
    const running = await fx.createJob({ type: 'crawl', accountId: busy.id });
    const run = await draining.waitForRun(0);
    await fx.waitForJob(running.id, 'running', (j) => j.status === 'running');

    const res = await fx.api('POST', '/workers/w1/drain', { reason: 'deploy' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: 'w1', status: 'draining' });
    expect(await waitUntil('w1 to get worker:drain', () => draining.drains[0])).toEqual({ reason: 'deploy' });
    expect((await fx.health()).body.workers).toMatchObject({ online: 1, draining: 1 });

    // New work for its accounts waits; the accounts stay put while its job runs.
    const waiting = await fx.createJob({ type: 'crawl', accountId: idle.id });
    await sleep(QUIET_WINDOW_MS);
    expect(draining.runs).toHaveLength(1);
    expect((await fx.job(waiting.id)).status).toBe('queued');
    expect((await fx.api('GET', `/accounts/${idle.id}`)).body.ownerWorkerId).toBe('w1');
    expect(other.assigns).toEqual([]);

    // Its running job may still finish there.
    expect((await draining.succeed(run, { ok: 1 })).ok).toBe(true);
    expect(await fx.waitForJob(running.id, 'succeeded', (j) => j.status === 'succeeded')).toMatchObject({ workerId: 'w1', result: { ok: 1 } });

    // Then both accounts move to w2 under new epochs, and w1 is told to let go of them.
    const movedBusy = await other.waitForAssign(busy.id);
    const movedIdle = await other.waitForAssign(idle.id);
    expect(movedBusy.epoch).toBeGreaterThan(1);
    expect(movedIdle.epoch).toBeGreaterThan(1);
    await waitUntil('w1 to get both revokes', () => (draining.revokes.length >= 2 ? true : undefined));
    expect(draining.revokes.map((r) => r.accountId).sort()).toEqual([busy.id, idle.id].sort());
    expect(draining.revokes.every((r) => r.epoch === 1)).toBe(true);

    const moved = await other.waitForRun(0);
    expect(moved).toMatchObject({ jobId: waiting.id, accountId: idle.id, epoch: movedIdle.epoch });
    expect((await other.succeed(moved)).ok).toBe(true);
    expect(await fx.waitForJob(waiting.id, 'succeeded', (j) => j.status === 'succeeded')).toMatchObject({ workerId: 'w2' });
    expect(draining.runs).toHaveLength(1);
    expect((await fx.api('GET', '/workers/w1')).body).toMatchObject({ status: 'draining', accounts: 0 });
  });

  it("takes a drained worker's final snapshot of each account before the account moves, and hands the newer state to the new owner", async () => {
    fx = await MasterFixture.start();
    const finalState = { cookies: [{ name: 'sid', value: 'final-session', domain: 'sandbox.test', path: '/' }], origins: [] };
    const snapshotAcks: unknown[] = [];
    const draining = await fx
      .worker('w1', {
        // As the real worker does on a revoke: the account's last state goes up under the revoke's epoch.
        onRevoke: async (revoke) => {
          snapshotAcks.push(await draining.snapshot({ accountId: revoke.accountId, epoch: revoke.epoch, version: 1, storageState: finalState }));
        },
      })
      .start();
    const account = await fx.createAccount();
    expect((await draining.waitForAssign(account.id)).storageStateVersion).toBe(0);
    const other = await fx.worker('w2').start();

    expect((await fx.api('POST', '/workers/w1/drain', { reason: 'deploy' })).status).toBe(200);

    const moved = await other.waitForAssign(account.id);
    expect(snapshotAcks).toEqual([expect.objectContaining({ ok: true })]);
    expect(moved.epoch).toBeGreaterThan(1);
    expect(moved).toMatchObject({ storageStateVersion: 1, storageState: finalState });
  });

  it('keeps a draining worker draining across a reconnect, and lets a restarted worker process come back online', async () => {
    fx = await MasterFixture.start();
    const worker = await fx.worker('w1', { reconnect: true }).start();
    const account = await fx.createAccount();
    await worker.waitForAssign(account.id);
    const running = await fx.createJob({ type: 'crawl', accountId: account.id });
    await worker.waitForRun(0);
    await fx.waitForJob(running.id, 'running', (j) => j.status === 'running');
    expect((await fx.api('POST', '/workers/w1/drain', { reason: 'deploy' })).status).toBe(200);
    await waitUntil('w1 to get worker:drain', () => worker.drains[0]);

    // A network blip: the socket drops and socket.io reconnects; the worker registers again.
    worker.socket.io.engine.close();
    await waitUntil('w1 to register again', () => worker.reregistrations[0]);
    expect(worker.reregistrations[0]).toMatchObject({ ok: true });
    expect((await fx.api('GET', '/workers/w1')).body.status).toBe('draining');
    const waiting = await fx.createJob({ type: 'crawl', accountId: account.id });
    await sleep(QUIET_WINDOW_MS);
    expect(worker.runs).toHaveLength(1);
    expect((await fx.job(waiting.id)).status).toBe('queued');

    // A new process of the same worker id (after the maintenance) registers without draining.
    worker.close();
    await waitUntil('w1 offline', async () => ((await fx.api('GET', '/workers/w1')).body.status === 'offline' ? true : undefined));
    await fx.worker('w1').start();
    expect((await fx.api('GET', '/workers/w1')).body.status).toBe('online');
  });

  it('refuses to drain an offline worker (409 CONFLICT) or an unknown one (404)', async () => {
    fx = await MasterFixture.start();
    const worker = await fx.worker('w1').start();
    worker.close();
    await waitUntil('w1 offline', async () => ((await fx.api('GET', '/workers/w1')).body.status === 'offline' ? true : undefined));

    const offline = await fx.api('POST', '/workers/w1/drain', {});
    expect(offline.status).toBe(409);
    expect(offline.body).toMatchObject({ code: 'CONFLICT' });
    expect((await fx.api('GET', '/workers/w1')).body.status).toBe('offline');

    const unknown = await fx.api('POST', '/workers/nobody/drain', {});
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ code: 'WORKER_NOT_FOUND' });
  });
});
