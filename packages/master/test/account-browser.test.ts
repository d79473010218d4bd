import { afterEach, describe, expect, it } from 'vitest';
import {
  ClientEvent,
  MasterEvent,
  WorkerEvent,
  type AccountBrowserCommand,
  type AccountBrowserEvent,
  type AccountBrowserReport,
  type Ack,
} from '@fleetwright/shared';
import { MasterFixture } from './support/master-fixture.js';
import type { SimulatedWorker } from './support/simulated-worker.js';
import { waitUntil } from './support/wait-until.js';

/** Makes the simulated worker answer browser commands with `answer(command)`, recording each one. */
function answerBrowserCommands(worker: SimulatedWorker, answer: (command: AccountBrowserCommand) => Ack<AccountBrowserReport>): AccountBrowserCommand[] {
  const received: AccountBrowserCommand[] = [];
  worker.socket.on(MasterEvent.AccountBrowser, (command, ack) => {
    received.push(command);
    ack(answer(command));
  });
  return received;
}

function reportBrowser(worker: SimulatedWorker, report: Record<string, unknown>): Promise<Ack> {
  return worker.socket.timeout(5_000).emitWithAck(WorkerEvent.AccountBrowser, report as never);
}

describe("an account's browser state, start and stop", () => {
  let fx: MasterFixture;
  afterEach(async () => {
    await fx?.close();
  });

  it('shows what the owner reports, with the lock holder, live on /client; a heartbeat list heals it and going offline stops it', async () => {
    fx = await MasterFixture.start();
    const client = fx.client();
    const events: AccountBrowserEvent[] = [];
    client.on(ClientEvent.AccountBrowser, (event) => events.push(event));
    client.connect();
    const worker = await fx.worker('w1').start();
    const account = await fx.createAccount();
    const assign = await worker.waitForAssign(account.id);
    expect((await fx.api('GET', `/accounts/${account.id}`)).body.browser).toEqual({
      state: 'stopped',
      workerId: null,
      lockHolder: null,
      error: null,
      updatedAt: null,
    });

    expect(await reportBrowser(worker, { accountId: account.id, epoch: assign.epoch, state: 'starting', fenceToken: null, error: null })).toEqual({ ok: true });
    expect(await reportBrowser(worker, { accountId: account.id, epoch: assign.epoch, state: 'running', fenceToken: 7, error: null })).toEqual({ ok: true });
    const running = (await fx.api('GET', `/accounts/${account.id}`)).body.browser;
    expect(running).toMatchObject({ state: 'running', workerId: 'w1', lockHolder: { workerId: 'w1', fenceToken: 7 }, error: null });
    expect(Date.parse(running.updatedAt)).toBeGreaterThan(Date.now() - 60_000);
    await waitUntil('two account:browser events', () => (events.length >= 2 ? true : undefined));
    expect(events.map((e) => [e.accountId, e.browser.state, e.browser.lockHolder?.fenceToken ?? null])).toEqual([
      [account.id, 'starting', null],
      [account.id, 'running', 7],
    ]);
    // The list page carries it too.
    expect((await fx.api('GET', '/accounts')).body.items[0].browser.state).toBe('running');

    // A heartbeat that no longer lists the account means it stopped there (a lost event heals).
    expect(
      await worker.socket
        .timeout(5_000)
        .emitWithAck(WorkerEvent.Heartbeat, { stats: { rssBytes: 1, browserRssBytes: 0, cpuPercent: 0, liveContexts: 0, runningJobs: 0 }, browsers: [] }),
    ).toEqual({ ok: true });
    expect((await fx.api('GET', `/accounts/${account.id}`)).body.browser).toMatchObject({ state: 'stopped', lockHolder: null });
    await worker.socket.timeout(5_000).emitWithAck(WorkerEvent.Heartbeat, {
      stats: { rssBytes: 1, browserRssBytes: 0, cpuPercent: 0, liveContexts: 0, runningJobs: 0 },
      browsers: [{ accountId: account.id, state: 'error', fenceToken: null, error: 'launch failed' }],
    });
    expect((await fx.api('GET', `/accounts/${account.id}`)).body.browser).toMatchObject({
      state: 'error',
      workerId: 'w1',
      lockHolder: null,
      error: 'launch failed',
    });

    worker.close();
    await fx.waitForAccount(account.id, 'browser stopped once its worker is gone', (a) => a.browser.state === 'stopped');
    await waitUntil('the stop on /client', () => (events.at(-1)?.browser.state === 'stopped' ? true : undefined));
  });

  it('refuses a report under a stale epoch or from a worker that does not own the account, and a bad payload, changing nothing', async () => {
    fx = await MasterFixture.start();
    const owner = await fx.worker('w1').start();
    const account = await fx.createAccount();
    const assign = await owner.waitForAssign(account.id);
    const other = await fx.worker('w2').start();

    const stale = await reportBrowser(owner, { accountId: account.id, epoch: assign.epoch - 1, state: 'running', fenceToken: 3, error: null });
    expect(stale).toMatchObject({ ok: false, error: { code: 'STALE_EPOCH', field: 'epoch' } });
    const stranger = await reportBrowser(other, { accountId: account.id, epoch: assign.epoch, state: 'running', fenceToken: 4, error: null });
    expect(stranger).toMatchObject({ ok: false, error: { code: 'STALE_EPOCH' } });
    const bad = await reportBrowser(owner, { accountId: account.id, epoch: assign.epoch, state: 'flying', fenceToken: null, error: null });
    expect(bad).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED', field: 'state' } });
    const unknown = await reportBrowser(owner, { accountId: 'no-such-account', epoch: 1, state: 'running', fenceToken: 1, error: null });
    expect(unknown).toMatchObject({ ok: false, error: { code: 'ACCOUNT_NOT_FOUND', field: 'accountId' } });

    expect((await fx.api('GET', `/accounts/${account.id}`)).body.browser.state).toBe('stopped');
    expect(
      fx
        .refusedReports()
        .filter((r) => r.event === WorkerEvent.AccountBrowser)
        .map((r) => [r.worker_id, r.code]),
    ).toEqual([
      ['w1', 'STALE_EPOCH'],
      ['w2', 'STALE_EPOCH'],
    ]);
  });

  it("start and stop go to the owner under the account's epoch and answer with the new state; the owner's refusal comes back as its code", async () => {
    fx = await MasterFixture.start();
    const worker = await fx.worker('w1').start();
    const account = await fx.createAccount();
    const assign = await worker.waitForAssign(account.id);
    let busy = false;
    const commands = answerBrowserCommands(worker, (command) => {
      if (command.action === 'stop' && busy) return { ok: false, error: { code: 'ACCOUNT_BUSY', message: 'a job is running' } };
      return {
        ok: true,
        data: {
          accountId: command.accountId,
          state: command.action === 'start' ? 'running' : 'stopped',
          fenceToken: command.action === 'start' ? 11 : null,
          error: null,
        },
      };
    });

    const started = await fx.api('POST', `/accounts/${account.id}/browser/start`);
    expect(started.status).toBe(200);
    expect(started.body).toMatchObject({ id: account.id, browser: { state: 'running', workerId: 'w1', lockHolder: { workerId: 'w1', fenceToken: 11 } } });
    expect(commands).toEqual([{ accountId: account.id, epoch: assign.epoch, action: 'start' }]);

    busy = true;
    const refused = await fx.api('POST', `/accounts/${account.id}/browser/stop`);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'ACCOUNT_BUSY' });
    expect((await fx.api('GET', `/accounts/${account.id}`)).body.browser.state).toBe('running');

    busy = false;
    const stopped = await fx.api('POST', `/accounts/${account.id}/browser/stop`);
    expect(stopped.status).toBe(200);
    expect(stopped.body.browser).toMatchObject({ state: 'stopped', lockHolder: null });
    expect(commands.map((c) => c.action)).toEqual(['start', 'stop', 'stop']);
  });

  it('refuses a viewer, an unknown account, an account with no owner and an owner that is not connected, with their codes', async () => {
    fx = await MasterFixture.start();
    const unowned = await fx.createAccount();
    const noOwner = await fx.api('POST', `/accounts/${unowned.id}/browser/start`);
    expect(noOwner.status).toBe(409);
    expect(noOwner.body).toMatchObject({ code: 'ACCOUNT_UNASSIGNED', field: 'id' });
    const missing = await fx.api('POST', '/accounts/nope/browser/stop');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ code: 'ACCOUNT_NOT_FOUND', field: 'id' });

    const worker = await fx.worker('w1').start();
    await worker.waitForAssign(unowned.id);
    const commands = answerBrowserCommands(worker, (command) => ({
      ok: true,
      data: { accountId: command.accountId, state: 'running', fenceToken: 1, error: null },
    }));
    const viewer: string = (await fx.api('POST', '/tokens', { name: 'watch', role: 'viewer' })).body.token;
    const forbidden = await fx.api('POST', `/accounts/${unowned.id}/browser/start`, undefined, viewer);
    expect(forbidden.status).toBe(403);
    expect(forbidden.body).toMatchObject({ code: 'FORBIDDEN' });
    expect(commands).toEqual([]);

    worker.close();
    await waitUntil('the master to see w1 disconnected', () => (fx.master.store.workers.row('w1')?.status === 'offline' ? true : undefined));
    const offline = await fx.api('POST', `/accounts/${unowned.id}/browser/start`);
    expect(offline.status).toBe(503);
    expect(offline.body).toMatchObject({ code: 'WORKER_LOST' });
  });
});
