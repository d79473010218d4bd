import { afterEach, describe, expect, it } from 'vitest';
import { BROWSER_MODES } from '../support/browser-modes.js';
import { FleetHarness } from '../support/fleet-harness.js';

interface TeamView {
  id: string;
  owner: string;
  members: string[];
  invites: { email: string; status: string }[];
}

describe.each(BROWSER_MODES)('an invite flow end to end: the owner invites, each member accepts from the inbox (%s mode)', (browserMode) => {
  let fleet: FleetHarness | undefined;
  afterEach(async () => {
    await fleet?.close();
  });

  it('brings 3 members into the team, skipping the one that already joined, and writes the step status fields', async () => {
    fleet = await new FleetHarness().start();
    const f = fleet;
    const handles = ['olivia', 'mia', 'noah', 'liam'];
    for (const handle of handles) await f.sandboxAdmin('/users', { handle, email: `${handle}@sandbox.test`, password: `${handle}-secret-1` });
    const team = (await f.sandboxAdmin('/teams', { owner: 'olivia', name: 'Crew', seats: 5 })) as TeamView;
    // mia was invited before and is about to join on her own.
    await f.sandboxAdmin(`/teams/${team.id}/invites`, { emails: ['mia@sandbox.test'] });
    await f.startWorker('w1', { browserMode });
    const accounts: Record<string, string> = {};
    for (const handle of handles) {
      const res = await f.api('POST', '/accounts', { platform: 'sandbox', label: handle, credentials: { username: handle, password: `${handle}-secret-1` } });
      accounts[handle] = res.body.id;
    }
    const logins = await Promise.all(handles.map((h) => f.api('POST', '/jobs', { type: 'login', accountId: accounts[h] })));
    for (const login of logins) expect(await f.waitForJob(login.body.id)).toMatchObject({ status: 'succeeded' });
    const miaJoins = await f.api('POST', '/jobs', { type: 'accept_invite', accountId: accounts.mia, payload: { email: 'mia@sandbox.test' } });
    expect(await f.waitForJob(miaJoins.body.id)).toMatchObject({ status: 'succeeded', result: { joined: true, skipped: false, team: 'Crew' } });
    expect((await f.api('GET', `/accounts/${accounts.mia}`)).body.steps.team_join.status).toBe('success');

    const flow = await f.api('POST', '/flows/invite', {
      ownerAccountId: accounts.olivia,
      members: ['mia', 'noah', 'liam'].map((h) => ({ accountId: accounts[h], email: `${h}@sandbox.test` })),
    });
    expect(flow.status).toBe(201);
    const done = await f.waitForJob(flow.body.id, undefined, 90_000);

    expect(done).toMatchObject({ status: 'succeeded', progress: { percent: 100 } });
    const children = await Promise.all((done.childIds ?? []).map(async (id) => (await f.api('GET', `/jobs/${id}`)).body));
    const invite = children.find((c) => c.type === 'invite');
    expect(invite).toMatchObject({ status: 'succeeded', accountId: accounts.olivia, result: { team: 'Crew', skipped: ['mia@sandbox.test'] } });
    expect([...invite.result.invited].sort()).toEqual(['liam@sandbox.test', 'noah@sandbox.test']);
    const accepts = children.filter((c) => c.type === 'accept_invite');
    expect(accepts.map((c) => c.accountId).sort()).toEqual([accounts.noah, accounts.liam].sort());
    for (const accept of accepts) expect(accept).toMatchObject({ status: 'succeeded', result: { joined: true, skipped: false, team: 'Crew' } });
    const events = (await f.api('GET', `/jobs/${flow.body.id}/events`)).body.items as { kind: string; data: Record<string, unknown> }[];
    expect(events.filter((e) => e.kind === 'skipped').map((e) => e.data.accountId)).toEqual([accounts.mia]);

    const res = await fetch(`${f.sandbox.url}/admin/teams/${team.id}`, { signal: AbortSignal.timeout(5000) });
    const final = (await res.json()) as TeamView;
    expect(final.members).toHaveLength(4);
    expect(final.members.slice(0, 2)).toEqual(['olivia', 'mia']);
    expect([...final.members].sort()).toEqual(['liam', 'mia', 'noah', 'olivia']);
    expect(final.invites.every((i) => i.status === 'accepted')).toBe(true);

    const steps = async (handle: string) => (await f.api('GET', `/accounts/${accounts[handle]}`)).body.steps as Record<string, { status: string }>;
    expect((await steps('olivia')).invite.status).toBe('success');
    for (const member of ['mia', 'noah', 'liam']) expect((await steps(member)).team_join.status).toBe('success');
  });
});
