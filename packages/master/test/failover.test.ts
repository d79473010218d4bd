import { afterEach, describe, expect, it } from 'vitest';
import { MasterFixture } from './support/master-fixture.js';
import { sleep, waitUntil } from './support/wait-until.js';

const HEARTBEAT_MS = 200;
/** Longer than the 3 missed heartbeats (600 ms) that requeue jobs, so the two steps can be told apart. */
const FAILOVER_MS = 1_000;

describe("an offline worker's accounts move to another worker after accountFailoverMs", () => {
  let fx: MasterFixture;
  afterEach(async () => {
    await fx?.close();
  });

  it('moves the account to a capable online worker under a new epoch only after the failover delay', async () => {
    fx = await MasterFixture.start({ heartbeatIntervalMs: HEARTBEAT_MS, accountFailoverMs: FAILOVER_MS });
    const first = await fx.worker('w1', { heartbeatEveryMs: HEARTBEAT_MS / 2 }).start();
    const account = await fx.createAccount();
    expect(await first.waitForAssign(account.id)).toMatchObject({ epoch: 1 });
    const other = await fx.worker('w2', { heartbeatEveryMs: HEARTBEAT_MS / 2 }).start();
    const incapable = await fx.worker('w3', { heartbeatEveryMs: HEARTBEAT_MS / 2 }).start({ capabilities: [{ platform: 'elsewhere', jobTypes: ['crawl'] }] });

    first.close();
    const lostAt = Date.now();
    await sleep(FAILOVER_MS / 2);
    expect((await fx.api('GET', `/accounts/${account.id}`)).body).toMatchObject({ ownerWorkerId: 'w1', epoch: 1 });

    const moved = await fx.waitForAccount(account.id, 'owned by w2', (a) => a.ownerWorkerId === 'w2', 3_000);
    expect(Date.now() - lostAt).toBeGreaterThanOrEqual(FAILOVER_MS - 50);
    const assign = await other.waitForAssign(account.id);
    expect(assign.epoch).toBeGreaterThan(1);
    expect(moved.epoch).toBe(assign.epoch);
    expect(incapable.assigns).toEqual([]);
  });

  it('revokes the moved account when the old worker reconnects still holding it', async () => {
    fx = await MasterFixture.start({ heartbeatIntervalMs: HEARTBEAT_MS, accountFailoverMs: FAILOVER_MS });
    const first = await fx.worker('w1', { heartbeatEveryMs: HEARTBEAT_MS / 2 }).start();
    const account = await fx.createAccount();
    await first.waitForAssign(account.id);
    const other = await fx.worker('w2', { heartbeatEveryMs: HEARTBEAT_MS / 2 }).start();
    first.close();
    await other.waitForAssign(account.id, 3_000);

    const back = await fx.worker('w1', { heartbeatEveryMs: HEARTBEAT_MS / 2 }).start({ heldAccounts: [{ accountId: account.id, epoch: 1 }] });
    const revoke = await waitUntil('w1 to get a revoke', () => back.revokes[0]);
    expect(revoke).toMatchObject({ accountId: account.id, epoch: 1, reason: expect.any(String) });
    await sleep(300);
    expect(back.assigns.filter((a) => a.accountId === account.id)).toEqual([]);
    expect((await fx.api('GET', `/accounts/${account.id}`)).body.ownerWorkerId).toBe('w2');
  });

  it('keeps the accounts (no revoke, same epoch) of a worker that comes back within the failover delay', async () => {
    fx = await MasterFixture.start({ heartbeatIntervalMs: HEARTBEAT_MS, accountFailoverMs: FAILOVER_MS });
    const first = await fx.worker('w1', { heartbeatEveryMs: HEARTBEAT_MS / 2 }).start();
    const account = await fx.createAccount();
    await first.waitForAssign(account.id);
    const other = await fx.worker('w2', { heartbeatEveryMs: HEARTBEAT_MS / 2 }).start();

    first.close();
    await sleep(HEARTBEAT_MS);
    const back = await fx.worker('w1', { heartbeatEveryMs: HEARTBEAT_MS / 2 }).start({ heldAccounts: [{ accountId: account.id, epoch: 1 }] });
    await sleep(FAILOVER_MS + 3 * HEARTBEAT_MS);

    expect(back.revokes).toEqual([]);
    expect(other.assigns).toEqual([]);
    expect((await fx.api('GET', `/accounts/${account.id}`)).body).toMatchObject({ ownerWorkerId: 'w1', epoch: 1 });
  });

  it("re-runs the lost job on the new owner under the new epoch, cancels it on the old worker, and ignores the old run's late result", async () => {
    fx = await MasterFixture.start({ heartbeatIntervalMs: HEARTBEAT_MS, accountFailoverMs: FAILOVER_MS });
    const first = await fx.worker('w1', { heartbeatEveryMs: HEARTBEAT_MS / 2 }).start();
    const account = await fx.createAccount();
    const job = await fx.createJob({ type: 'crawl', accountId: account.id });
    const oldRun = await first.waitForRun(0);
    await fx.waitForJob(job.id, 'running', (j) => j.status === 'running');
    const other = await fx.worker('w2', { heartbeatEveryMs: HEARTBEAT_MS / 2 }).start();

    first.close();
    const newRun = await other.waitForRun(0, 3_000);
    expect(newRun).toMatchObject({ jobId: job.id, accountId: account.id, attempt: 2 });
    expect(newRun.epoch).toBeGreaterThan(oldRun.epoch);
    await fx.waitForJob(job.id, 'running on w2', (j) => j.status === 'running' && j.workerId === 'w2');

    // The old worker comes back believing it still runs attempt 1 on the old epoch.
    const back = await fx.worker('w1', { heartbeatEveryMs: HEARTBEAT_MS / 2 }).start({
      runningJobs: [{ jobId: job.id, accountId: account.id, epoch: oldRun.epoch }],
      heldAccounts: [{ accountId: account.id, epoch: oldRun.epoch }],
    });
    await waitUntil('w1 to be told to cancel the job', () => back.cancels.find((c) => c.jobId === job.id));
    await waitUntil('w1 to lose the account', () => back.revokes.find((r) => r.accountId === account.id));
    expect((await back.succeed(oldRun, { from: 'w1' })).ok).toBe(true); // acknowledged, not applied
    expect(await fx.job(job.id)).toMatchObject({ status: 'running', workerId: 'w2', attempt: 2, result: null });

    expect((await other.succeed(newRun, { from: 'w2' })).ok).toBe(true);
    expect(await fx.waitForJob(job.id, 'succeeded', (j) => j.status === 'succeeded')).toMatchObject({
      workerId: 'w2',
      epoch: newRun.epoch,
      result: { from: 'w2' },
    });
  });
});
