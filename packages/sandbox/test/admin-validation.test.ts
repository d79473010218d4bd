import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SandboxFixture } from './support/sandbox-fixture.js';

describe('admin JSON validation', () => {
  let fx: SandboxFixture;
  beforeEach(async () => {
    fx = await SandboxFixture.start();
    await fx.addUser('alice');
    await fx.addUser('bob');
  });
  afterEach(async () => {
    await fx?.close();
  });

  const invalidBodies: [string, unknown, string][] = [
    ['/qr/approve', { user: 'alice' }, 'token'],
    ['/qr/approve', { token: 'abc' }, 'user'],
    ['/messages', { from: 'bob', to: 'alice' }, 'text'],
    ['/messages', { from: 'bob', to: 'alice', text: '   ' }, 'text'],
    ['/messages', { from: 'bob', text: 'hi' }, 'to'],
    ['/messages', { from: 'bob', to: 'bob', text: 'hi' }, 'to'],
    ['/messages', { from: 'bob', to: 'alice', text: 'hi', cc: 'carol' }, 'cc'],
    ['/teams', { owner: 'alice', name: 'Team', seats: 0 }, 'seats'],
    ['/teams', { owner: 'alice', name: 'Team', seats: 2.5 }, 'seats'],
    ['/teams', { owner: 'alice', name: 'Team', seats: 'three' }, 'seats'],
    ['/teams', { owner: 'alice', seats: 3 }, 'name'],
    ['/users', { handle: 'carol', email: 'not-an-email', password: 'secret-1' }, 'email'],
    ['/comments', { postId: 'p1', author: 'bob' }, 'text'],
  ];

  it.each(invalidBodies)('POST %s %j answers 400 VALIDATION_FAILED naming the field', async (path, body, field) => {
    const res = await fx.admin('POST', path, body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ code: 'VALIDATION_FAILED', message: expect.stringContaining(field), field });
  });

  it('answers 400 naming the bad address in a team invite list', async () => {
    const team = await fx.seed('/teams', { owner: 'alice', name: 'Team', seats: 3 });
    const res = await fx.admin('POST', `/teams/${team.id}/invites`, { emails: ['bob@sandbox.test', 'nope'] });
    expect(res).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED', field: 'emails.1' } });
  });

  it('answers 400 naming the body when it is not JSON at all', async () => {
    const res = await fx.admin('POST', '/messages', '{"from": "bob",');
    expect(res).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED', field: 'body' } });
  });

  it('answers 404 NOT_FOUND naming the field for unknown users, teams and comments', async () => {
    const post = await fx.seed('/posts', { author: 'alice', text: 'post' });
    const cases: [Promise<{ status: number; body: any }>, string][] = [
      [fx.admin('POST', '/messages', { from: 'bob', to: 'nobody', text: 'hi' }), 'to'],
      [fx.admin('POST', '/messages', { from: 'nobody@sandbox.test', to: 'bob', text: 'hi' }), 'from'],
      [fx.admin('POST', '/qr/approve', { token: 'abc', user: 'nobody' }), 'user'],
      [fx.admin('POST', '/teams', { owner: 'nobody', name: 'T', seats: 2 }), 'owner'],
      [fx.admin('GET', '/teams/team999'), 'id'],
      [fx.admin('POST', '/teams/team999/invites', { emails: ['bob@sandbox.test'] }), 'id'],
      [fx.admin('POST', '/comments', { postId: post.id, author: 'bob', text: 'hi', parentId: 'c999' }), 'parentId'],
    ];
    for (const [pending, field] of cases) {
      const res = await pending;
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ code: 'NOT_FOUND', message: expect.any(String), field });
    }
  });

  it('answers 409 TEAM_FULL when a full team is asked to invite', async () => {
    const team = await fx.seed('/teams', { owner: 'alice', name: 'Solo', seats: 1 });
    const res = await fx.admin('POST', `/teams/${team.id}/invites`, { emails: ['bob@sandbox.test'] });
    expect(res).toMatchObject({ status: 409, body: { code: 'TEAM_FULL', field: 'emails' } });
  });

  it('still guards every new endpoint with the admin token when one is set', async () => {
    const guarded = await SandboxFixture.start({ adminToken: 'sekret' });
    try {
      for (const path of ['/qr/approve', '/messages', '/teams']) {
        const res = await guarded.admin('POST', path, {});
        expect(res).toMatchObject({ status: 401, body: { code: 'UNAUTHORIZED' } });
      }
    } finally {
      await guarded.close();
    }
  });
});
