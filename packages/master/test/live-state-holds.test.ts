import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MasterEvent, WorkerEvent } from '@fleetwright/shared';
import { MasterFixture } from './support/master-fixture.js';
import { waitUntil } from './support/wait-until.js';

// A worker reports the holds it keeps after it registers (worker:live:state). What it says of a
// hold's job is taken only when that job is the one the account runs on it.
describe("a worker's report of the holds it keeps", () => {
  let fx: MasterFixture;
  beforeEach(async () => {
    fx = await MasterFixture.start();
  });
  afterEach(async () => {
    await fx?.close();
  });

  it('restores a hold naming a job the master does not know without that job, and hands it back cleanly', async () => {
    const worker = await fx.worker('w1').start();
    // As a real worker does: it takes the master's claim and release of a session.
    worker.socket.on(MasterEvent.Takeover, (_takeover, ack) => ack({ ok: true }));
    const account = await fx.createAccount();
    const { epoch } = await worker.waitForAssign(account.id);
    const unknownJob = '00000000-0000-4000-8000-00000000abcd';
    const hold = { by: 'someone', role: 'operator', claimedAt: new Date().toISOString(), jobId: unknownJob };
    const ack = await worker.socket.timeout(5_000).emitWithAck(WorkerEvent.LiveState, { holds: [{ accountId: account.id, epoch, hold }], waiting: [] });
    expect(ack).toMatchObject({ ok: true });
    await waitUntil('the hold restored', async () => ((await fx.api('GET', `/accounts/${account.id}/takeover`)).body.heldBy === 'someone' ? true : undefined));
    expect((await fx.api('GET', `/accounts/${account.id}/takeover`)).body).toMatchObject({ heldBy: 'someone', jobId: null });

    const released = await fx.api('DELETE', `/accounts/${account.id}/takeover`);
    expect(released.status).toBe(200);
    expect(released.body).toMatchObject({ accountId: account.id, heldBy: null, jobId: null });
    expect((await fx.api('GET', `/accounts/${account.id}/takeover`)).body).toMatchObject({ heldBy: null });
  });
});
