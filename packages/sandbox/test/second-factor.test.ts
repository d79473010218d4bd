import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PASSWORD, SandboxFixture } from './support/sandbox-fixture.js';

describe('second factor', () => {
  let fx: SandboxFixture;
  beforeEach(async () => {
    fx = await SandboxFixture.start();
    await fx.seed('/users', { handle: 'tess', email: 'tess@sandbox.test', password: PASSWORD, secondFactor: true });
  });
  afterEach(async () => {
    await fx?.close();
  });

  async function phoneCode(): Promise<string | undefined> {
    return (await fx.anonymous().get('/phone/tess')).document.querySelector('#phone-code')?.text;
  }

  it('asks for the code only the phone page shows after the password, then signs in', async () => {
    expect(await phoneCode()).toBeUndefined();
    const client = fx.anonymous();
    const res = await client.postForm('/login', { username: 'tess', password: PASSWORD, next: '/home' });
    expect(res.status).toBe(303);
    expect(res.location).toBe('/login/code?next=%2Fhome');
    expect(client.sessionId).toBeUndefined();
    const prompt = await client.get(res.location ?? '');
    expect(prompt.document.querySelector('#second-factor-prompt')?.text).toContain('code');
    expect((await client.get('/home')).location).toBe('/login?next=%2Fhome');

    const code = await phoneCode();
    expect(code).toMatch(/^\d{6}$/);
    expect(prompt.body).not.toContain(code);
    const wrong = await client.postForm('/login/code', { code: code === '000000' ? '111111' : '000000', next: '/home' });
    expect(wrong.status).toBe(401);
    expect(wrong.document.querySelector('.error[role="alert"]')?.text).toContain('Wrong code');

    const signedIn = await client.postForm('/login/code', { code: code ?? '', next: '/home' });
    expect(signedIn.status).toBe(303);
    expect(signedIn.location).toBe('/home');
    expect((await client.get('/home')).document.querySelector('[data-testid="whoami"]')?.text).toBe('@tess');
    expect(await phoneCode()).toBeUndefined();
  });

  it('takes a code only once and only from the device that entered the password', async () => {
    const device = fx.anonymous();
    await device.postForm('/login', { username: 'tess', password: PASSWORD });
    const code = (await phoneCode()) ?? '';
    const stranger = await fx.anonymous().postForm('/login/code', { code });
    expect(stranger.status).toBe(400);
    expect((await device.postForm('/login/code', { code })).status).toBe(303);
    expect((await device.postForm('/login/code', { code })).status).toBe(400);
  });

  it('drops the sign-in after five wrong codes', async () => {
    const device = fx.anonymous();
    await device.postForm('/login', { username: 'tess', password: PASSWORD });
    const code = (await phoneCode()) ?? '';
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 0; i < 4; i++) expect((await device.postForm('/login/code', { code: wrong })).status).toBe(401);
    expect((await device.postForm('/login/code', { code: wrong })).status).toBe(429);
    expect((await device.postForm('/login/code', { code })).status).toBe(400);
  });
});
