import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TEST_USER_AGENT } from './support/sandbox-client.js';
import { PASSWORD, SandboxFixture } from './support/sandbox-fixture.js';

describe('password login', () => {
  let fx: SandboxFixture;
  beforeEach(async () => {
    fx = await SandboxFixture.start();
    await fx.addUser('alice');
  });
  afterEach(async () => {
    await fx?.close();
  });

  it('sets a session cookie that opens /home as the user and records the device', async () => {
    const client = fx.anonymous();
    const res = await client.postForm('/login', { username: 'alice', password: PASSWORD, next: '/home' });
    expect(res.status).toBe(303);
    expect(res.location).toBe('/home');
    expect(client.sessionId).toMatch(/^[\w-]{20,}$/);

    const home = await client.get('/home');
    expect(home.status).toBe(200);
    expect(home.document.querySelector('[data-testid="whoami"]')?.text).toBe('@alice');
    const sessions = await fx.admin('GET', '/sessions');
    expect(sessions.body.items).toEqual([expect.objectContaining({ userAgent: TEST_USER_AGENT })]);
  });

  it('signs everyone out on DELETE /admin/sessions: the cookie no longer opens /home', async () => {
    const client = fx.anonymous();
    await client.postForm('/login', { username: 'alice', password: PASSWORD, next: '/home' });
    expect((await client.get('/home')).status).toBe(200);
    expect((await fx.admin('DELETE', '/sessions')).body).toEqual({ ended: 1 });
    expect((await client.get('/home')).location).toBe('/login?next=%2Fhome');
    expect((await fx.admin('GET', '/sessions')).body.items).toEqual([]);
  });

  it('refuses a wrong password with 401 and an alert, and sets no cookie', async () => {
    const client = fx.anonymous();
    const res = await client.postForm('/login', { username: 'alice', password: 'wrong-password' });
    expect(res.status).toBe(401);
    expect(res.document.querySelector('.error[role="alert"]')?.text).toBe('Invalid username or password');
    expect(client.sessionId).toBeUndefined();
    expect((await client.get('/home')).location).toBe('/login?next=%2Fhome');
  });

  it('links the login page to QR sign-in', async () => {
    const page = await fx.anonymous().get('/login');
    expect(page.document.querySelector('a#qr-login-link')?.getAttribute('href')).toBe('/login/qr');
  });
});
