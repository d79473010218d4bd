import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SandboxClient } from './support/sandbox-client.js';
import { SandboxFixture } from './support/sandbox-fixture.js';

const ALERT = '.error[role="alert"]';

describe('teams, seats and invites', () => {
  let fx: SandboxFixture;
  let alice: SandboxClient;

  async function createTeam(seats: number): Promise<string> {
    return (await fx.seed('/teams', { owner: 'alice', name: 'Alice & Co', seats })).id;
  }

  async function teamOf(id: string): Promise<any> {
    return (await fx.admin('GET', `/teams/${id}`)).body;
  }

  /** The invite id addressed to `client`, read from their inbox page. */
  async function inviteIdIn(client: SandboxClient): Promise<string> {
    const id = (await client.get('/inbox')).document.querySelector('li.invite')?.getAttribute('data-invite-id');
    if (!id) throw new Error('no invite in the inbox');
    return id;
  }

  beforeEach(async () => {
    fx = await SandboxFixture.start();
    alice = await fx.signedInUser('alice');
  });
  afterEach(async () => {
    await fx?.close();
  });

  it('counts the owner as a member who takes a seat, and gives the owner the invite form', async () => {
    const id = await createTeam(5);
    expect(await teamOf(id)).toEqual({ id, name: 'Alice & Co', owner: 'alice', seats: 5, members: ['alice'], invites: [] });

    const page = (await alice.get('/team')).document;
    expect(page.querySelector('#team-name')?.text).toBe('Alice & Co');
    expect(page.querySelector('#team-seats')?.text).toBe('1 of 5 seats used');
    expect(page.querySelectorAll('li.member').map((m) => m.getAttribute('data-handle'))).toEqual(['alice']);
    expect(page.querySelector('form#invite-form textarea[name="emails"]')).toBeDefined();
    expect(page.querySelector('#invite-submit')).toBeDefined();
  });

  it('invites new addresses and skips members and addresses already invited, saying which', async () => {
    const id = await createTeam(5);
    const first = await alice.postForm('/team/invites', { emails: 'bob@sandbox.test, Carol@Sandbox.test' });
    expect(first.status).toBe(200);
    expect(first.document.querySelectorAll('li.invite').map((i) => i.getAttribute('data-email'))).toEqual(['bob@sandbox.test', 'carol@sandbox.test']);

    const second = await alice.postForm('/team/invites', { emails: 'bob@sandbox.test\nalice@sandbox.test\r\ndave@sandbox.test' });
    const result = second.document.querySelector('#invite-result');
    expect(result?.querySelectorAll('ul.invited li').map((li) => li.getAttribute('data-email'))).toEqual(['dave@sandbox.test']);
    expect(result?.querySelectorAll('ul.skipped li').map((li) => li.getAttribute('data-email'))).toEqual(['bob@sandbox.test', 'alice@sandbox.test']);
    expect(result?.text).toContain('Skipped bob@sandbox.test');
    expect((await teamOf(id)).invites.map((i: any) => [i.email, i.status])).toEqual([
      ['bob@sandbox.test', 'pending'],
      ['carol@sandbox.test', 'pending'],
      ['dave@sandbox.test', 'pending'],
    ]);
  });

  it("shows the invite in the addressee's inbox, and accepting joins the team", async () => {
    const id = await createTeam(3);
    const bob = await fx.signedInUser('bob');
    await alice.postForm('/team/invites', { emails: 'bob@sandbox.test' });

    const inbox = (await bob.get('/inbox')).document;
    const invite = inbox.querySelector('li.invite[data-invite-id]');
    expect(invite?.querySelector('.team-name')?.text).toBe('Alice & Co');
    const accept = await bob.postForm(invite?.querySelector('form.accept-form')?.getAttribute('action') ?? '');
    expect(accept.status).toBe(303);
    expect(accept.location).toBe('/team');

    const team = (await bob.get('/team')).document;
    expect(team.querySelector('#team-name')?.text).toBe('Alice & Co');
    expect(team.querySelectorAll('li.member').map((m) => m.getAttribute('data-handle'))).toEqual(['alice', 'bob']);
    expect(team.querySelector('#team-seats')?.text).toBe('2 of 3 seats used');
    expect(team.querySelector('#invite-form')).toBeUndefined();
    expect(await teamOf(id)).toMatchObject({ members: ['alice', 'bob'], invites: [{ email: 'bob@sandbox.test', status: 'accepted' }] });
    expect((await bob.get('/inbox')).document.querySelectorAll('li.invite')).toHaveLength(0);
  });

  it('treats accepting again as harmless and says already a member', async () => {
    const id = await createTeam(3);
    const bob = await fx.signedInUser('bob');
    await alice.postForm('/team/invites', { emails: 'bob@sandbox.test' });
    const inviteId = await inviteIdIn(bob);
    await bob.postForm(`/invites/${inviteId}/accept`);

    const again = await bob.postForm(`/invites/${inviteId}/accept`);
    expect(again.status).toBe(200);
    expect(again.document.querySelector('#accept-result')?.text).toContain('already a member');
    expect((await teamOf(id)).members).toEqual(['alice', 'bob']);
  });

  it('answers 404 to someone accepting an invite addressed to another', async () => {
    const id = await createTeam(3);
    const bob = await fx.signedInUser('bob');
    const carol = await fx.signedInUser('carol');
    await alice.postForm('/team/invites', { emails: 'bob@sandbox.test' });
    const inviteId = await inviteIdIn(bob);

    expect((await carol.postForm(`/invites/${inviteId}/accept`)).status).toBe(404);
    expect((await carol.get('/inbox')).document.querySelectorAll('li.invite')).toHaveLength(0);
    expect((await teamOf(id)).members).toEqual(['alice']);
  });

  it('enforces seats on accept: the first to accept gets the last seat, the next sees an alert', async () => {
    const id = await createTeam(2);
    const bob = await fx.signedInUser('bob');
    const carol = await fx.signedInUser('carol');
    // One free seat, two invites: pending invites do not hold seats.
    await alice.postForm('/team/invites', { emails: 'bob@sandbox.test, carol@sandbox.test' });
    const carolInvite = await inviteIdIn(carol);
    await bob.postForm(`/invites/${await inviteIdIn(bob)}/accept`);

    const full = await carol.postForm(`/invites/${carolInvite}/accept`);
    expect(full.status).toBe(409);
    expect(full.document.querySelector(ALERT)?.text).toBe('Alice & Co is full (2 of 2 seats used).');
    expect((await teamOf(id)).members).toEqual(['alice', 'bob']);
    expect((await carol.get('/team')).document.querySelector('#no-team')).toBeDefined();
  });

  it('enforces seats on invite: with no seat left nobody is invited and the page says why', async () => {
    const id = await createTeam(1);
    const res = await alice.postForm('/team/invites', { emails: 'bob@sandbox.test' });
    expect(res.status).toBe(409);
    expect(res.document.querySelector(ALERT)?.text).toContain('No seats left (1 of 1 seats used)');
    expect((await teamOf(id)).invites).toEqual([]);
  });

  it('lets only the owner invite, and refuses a list with a bad address', async () => {
    const id = await createTeam(3);
    const bob = await fx.signedInUser('bob');
    await alice.postForm('/team/invites', { emails: 'bob@sandbox.test' });
    await bob.postForm(`/invites/${await inviteIdIn(bob)}/accept`);

    const byMember = await bob.postForm('/team/invites', { emails: 'carol@sandbox.test' });
    expect(byMember.status).toBe(403);
    const bad = await alice.postForm('/team/invites', { emails: 'carol@sandbox.test, not-an-email' });
    expect(bad.status).toBe(400);
    expect(bad.document.querySelector(ALERT)?.text).toContain('not-an-email is not an email address');
    expect((await teamOf(id)).invites).toHaveLength(1);
  });

  it('keeps a user in at most one team', async () => {
    await createTeam(3);
    const bob = await fx.signedInUser('bob');
    const bobsTeam = await fx.seed('/teams', { owner: 'bob', name: 'Bob Inc', seats: 3 });
    await alice.postForm('/team/invites', { emails: 'bob@sandbox.test' });

    const res = await bob.postForm(`/invites/${await inviteIdIn(bob)}/accept`);
    expect(res.status).toBe(409);
    expect(res.document.querySelector(ALERT)?.text).toContain('one team only');
    expect((await teamOf(bobsTeam.id)).members).toEqual(['bob']);
    const again = await fx.admin('POST', '/teams', { owner: 'alice', name: 'Second', seats: 2 });
    expect(again).toMatchObject({ status: 409, body: { code: 'CONFLICT', field: 'owner' } });
  });

  it('tells a user without a team so, with no invite form', async () => {
    const page = (await alice.get('/team')).document;
    expect(page.querySelector('#no-team')).toBeDefined();
    expect(page.querySelector('#invite-form')).toBeUndefined();
  });
});
