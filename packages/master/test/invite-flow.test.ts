import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MasterFixture } from './support/master-fixture.js';
import type { SimulatedWorker } from './support/simulated-worker.js';
import { sleep, waitUntil } from './support/wait-until.js';

const QUIET_WINDOW_MS = 300;
const TEAM_PLATFORM = {
  platform: 'sandbox',
  jobTypes: ['crawl', 'login', 'invite', 'accept_invite'],
  accountSteps: { login: 'login', invite: 'invite', accept_invite: 'team_join' } as const,
};

describe('invite flow: invite on the owner, then accept_invite on each member', () => {
  let fx: MasterFixture;
  let worker: SimulatedWorker;
  beforeEach(async () => {
    fx = await MasterFixture.start();
    worker = await fx.worker('w1').start({ capabilities: [TEAM_PLATFORM], maxConcurrency: 8 });
  });
  afterEach(async () => {
    await fx?.close();
  });

  async function startFlow(ownerAccountId: string, members: { accountId: string; email: string }[]): Promise<any> {
    const res = await fx.api('POST', '/flows/invite', { ownerAccountId, members });
    if (res.status !== 201) throw new Error(`POST /flows/invite: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  function runOfType(type: string, accountId: string): Promise<any> {
    return waitUntil(`job:run ${type} on ${accountId}`, () => worker.runs.find((r) => r.type === type && r.accountId === accountId));
  }

  /** Makes the account a team member the way the fleet learns it: a succeeded accept_invite job. */
  async function joinBeforehand(accountId: string): Promise<void> {
    const job = await fx.createJob({ type: 'accept_invite', accountId, payload: { email: 'early@example.com' } });
    const run = await waitUntil('the early accept_invite', () => worker.runs.find((r) => r.jobId === job.id));
    expect((await worker.succeed(run)).ok).toBe(true);
    await fx.waitForAccount(accountId, 'joined', (a) => a.steps.team_join.status === 'success');
  }

  it('invites all member emails, then accepts for each member that has not joined, skipping (and recording) the one that has', async () => {
    const owner = await fx.createAccount();
    const newcomer = await fx.createAccount();
    const member = await fx.createAccount();
    await joinBeforehand(member.id);
    const runsBefore = worker.runs.length;

    const flow = await startFlow(owner.id, [
      { accountId: newcomer.id, email: 'new@example.com' },
      { accountId: member.id, email: 'member@example.com' },
    ]);
    expect(flow).toMatchObject({ type: 'invite_flow', status: 'running', childIds: [expect.any(String)] });
    const invite = await runOfType('invite', owner.id);
    expect(invite).toMatchObject({ jobId: flow.childIds[0], payload: { emails: ['new@example.com', 'member@example.com'] } });
    await sleep(QUIET_WINDOW_MS);
    expect(worker.runs.slice(runsBefore).map((r) => r.type)).toEqual(['invite']); // nobody accepts before the invite succeeded

    expect((await worker.succeed(invite)).ok).toBe(true);
    const accept = await runOfType('accept_invite', newcomer.id);
    expect(accept.payload).toEqual({ email: 'new@example.com' });
    const events = (await fx.api('GET', `/jobs/${flow.id}/events`)).body.items;
    expect(events).toContainEqual(
      expect.objectContaining({ kind: 'skipped', data: expect.objectContaining({ accountId: member.id, reason: expect.any(String) }) }),
    );
    expect(events.filter((e: any) => e.kind === 'skipped')).toHaveLength(1);
    expect((await fx.job(flow.id)).status).toBe('running');

    expect((await worker.succeed(accept)).ok).toBe(true);
    const done = await fx.waitForJob(flow.id, 'succeeded', (j) => j.status === 'succeeded');
    expect(done.childIds).toHaveLength(2);
    expect((await fx.api('GET', `/accounts/${newcomer.id}`)).body.steps.team_join.status).toBe('success');
    expect((await fx.api('GET', `/accounts/${owner.id}`)).body.steps.invite.status).toBe('success');
    expect(
      worker.runs
        .slice(runsBefore)
        .filter((r) => r.type === 'accept_invite')
        .map((r) => r.accountId),
    ).toEqual([newcomer.id]);
  });

  it('fails the flow and creates no accept_invite when the invite fails', async () => {
    const owner = await fx.createAccount();
    const member = await fx.createAccount();
    const flow = await startFlow(owner.id, [{ accountId: member.id, email: 'm@example.com' }]);

    const invite = await runOfType('invite', owner.id);
    expect((await worker.fail(invite, { code: 'AUTH_FAILED', message: 'owner logged out' })).ok).toBe(true);
    const failed = await fx.waitForJob(flow.id, 'failed', (j) => j.status === 'failed');
    expect(failed.error).toMatchObject({ code: 'AUTH_FAILED' });

    await sleep(QUIET_WINDOW_MS);
    expect((await fx.api('GET', '/jobs?type=accept_invite')).body.items).toEqual([]);
    expect(worker.runs.map((r) => r.type)).toEqual(['invite']);
    expect((await fx.job(flow.id)).childIds).toHaveLength(1);
  });

  it('succeeds right after the invite when every member had already joined, with a skipped event for each', async () => {
    const owner = await fx.createAccount();
    const first = await fx.createAccount();
    const second = await fx.createAccount();
    await joinBeforehand(first.id);
    await joinBeforehand(second.id);
    const flow = await startFlow(owner.id, [
      { accountId: first.id, email: 'a@example.com' },
      { accountId: second.id, email: 'b@example.com' },
    ]);

    expect((await worker.succeed(await runOfType('invite', owner.id))).ok).toBe(true);
    const done = await fx.waitForJob(flow.id, 'succeeded', (j) => j.status === 'succeeded');
    expect(done.childIds).toHaveLength(1);
    const skipped = (await fx.api('GET', `/jobs/${flow.id}/events`)).body.items.filter((e: any) => e.kind === 'skipped');
    expect(skipped.map((e: any) => e.data.accountId).sort()).toEqual([first.id, second.id].sort());
    expect(worker.runs.filter((r) => r.type === 'accept_invite')).toHaveLength(2); // only the two early ones
  });

  it('refuses a flow naming an unknown member account, creating nothing', async () => {
    const owner = await fx.createAccount();
    const res = await fx.api('POST', '/flows/invite', {
      ownerAccountId: owner.id,
      members: [{ accountId: '00000000-0000-4000-8000-000000000000', email: 'x@example.com' }],
    });
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ code: 'ACCOUNT_NOT_FOUND', field: 'members.0.accountId' });
    expect((await fx.api('GET', '/jobs')).body.items).toEqual([]);
  });
});
