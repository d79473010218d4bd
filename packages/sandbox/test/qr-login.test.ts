import { afterEach, describe, expect, it } from 'vitest';
import type { SandboxClient } from './support/sandbox-client.js';
import { decodeQrDataUrl } from './support/qr-image.js';
import { SandboxFixture } from './support/sandbox-fixture.js';

/** Opens the QR page and returns the token its image encodes, checked against the poll URL. */
async function openQrPage(client: SandboxClient): Promise<string> {
  const page = await client.get('/login/qr');
  expect(page.status).toBe(200);
  const img = page.document.querySelector('img#qr-image');
  expect(img?.getAttribute('alt')).toBe('QR code');
  const token = decodeQrDataUrl(img?.getAttribute('src') ?? '');
  expect(page.document.querySelector('#qr-login')?.getAttribute('data-status-url')).toBe(`/login/qr/${token}/status`);
  return token;
}

async function statusOf(client: SandboxClient, token: string): Promise<unknown> {
  return (await client.getJson(`/login/qr/${token}/status`)).body.status;
}

describe('QR login', () => {
  let fx: SandboxFixture;
  afterEach(async () => {
    await fx?.close();
  });

  it('shows a QR image that decodes to exactly the one-time token, new on every visit', async () => {
    fx = await SandboxFixture.start();
    const desktop = fx.anonymous();
    const page = await desktop.get('/login/qr');
    expect(page.document.querySelector('#qr-status')?.text).toBe('Waiting for approval');
    // The inline script polls the status URL the page names, every 500 ms.
    const script = page.document.querySelector('script')?.textContent ?? '';
    expect(script).toContain('box.dataset.statusUrl');
    expect(script).toMatch(/\}, 500\);/);

    const token = decodeQrDataUrl(page.document.querySelector('img#qr-image')?.getAttribute('src') ?? '');
    // 16+ random bytes in base64url is at least 22 url-safe characters.
    expect(token).toMatch(/^[A-Za-z0-9_-]{22,}$/);
    expect(fx.server.store.qrLogins.get(token)).toBeDefined();
    expect(await openQrPage(desktop)).not.toBe(token);
  });

  it('goes pending → approved → consumed, and completing signs in the approving user exactly once', async () => {
    fx = await SandboxFixture.start();
    await fx.addUser('alice');
    await fx.addUser('bob');
    const desktop = fx.anonymous();
    const token = await openQrPage(desktop);
    expect(await statusOf(desktop, token)).toBe('pending');

    const approval = await fx.admin('POST', '/qr/approve', { token, user: 'bob@sandbox.test' });
    expect(approval).toEqual({ status: 200, body: { token, status: 'approved', user: 'bob' } });
    expect(await statusOf(desktop, token)).toBe('approved');

    const complete = await desktop.get(`/login/qr/${token}/complete`);
    expect(complete.status).toBe(303);
    expect(complete.location).toBe('/home');
    expect(desktop.sessionId).toBeDefined();
    const home = await desktop.get('/home');
    expect(home.document.querySelector('[data-testid="whoami"]')?.text).toBe('@bob');
    expect(await statusOf(desktop, token)).toBe('consumed');

    const thief = fx.anonymous();
    const second = await thief.get(`/login/qr/${token}/complete`);
    expect(second.status).toBe(410);
    expect(second.document.querySelector('.error[role="alert"]')?.text).toContain('already used');
    expect(thief.sessionId).toBeUndefined();
  });

  it('approves from the phone page for the signed-in user', async () => {
    fx = await SandboxFixture.start();
    const phone = await fx.signedInUser('alice');
    const desktop = fx.anonymous();
    const token = await openQrPage(desktop);

    const confirm = await phone.get(`/qr/approve?token=${encodeURIComponent(token)}`);
    const form = confirm.document.querySelector('form#qr-approve-form');
    expect(form?.getAttribute('action')).toBe('/qr/approve');
    expect(form?.querySelector('input[name="token"]')?.getAttribute('value')).toBe(token);
    expect(form?.querySelector('button#qr-approve-submit')).toBeDefined();

    const approved = await phone.postForm('/qr/approve', { token });
    expect(approved.status).toBe(200);
    expect(approved.document.querySelector('#qr-approve-result')?.text).toContain('@alice');
    await desktop.get(`/login/qr/${token}/complete`);
    expect((await desktop.get('/home')).document.querySelector('[data-testid="whoami"]')?.text).toBe('@alice');
  });

  it('refuses to complete before approval and the token still works after', async () => {
    fx = await SandboxFixture.start();
    await fx.addUser('alice');
    const desktop = fx.anonymous();
    const token = await openQrPage(desktop);

    const early = await desktop.get(`/login/qr/${token}/complete`);
    expect(early.status).toBe(409);
    expect(early.document.querySelector('.error[role="alert"]')?.text).toContain('not been approved');
    expect(desktop.sessionId).toBeUndefined();

    await fx.seed('/qr/approve', { token, user: 'alice' });
    expect((await desktop.get(`/login/qr/${token}/complete`)).location).toBe('/home');
  });

  it('cannot approve or complete an expired token', async () => {
    fx = await SandboxFixture.start({ qrTtlMs: 200 });
    const phone = await fx.signedInUser('alice');
    const desktop = fx.anonymous();
    const token = await openQrPage(desktop);
    await new Promise((resolve) => setTimeout(resolve, 300));

    expect(await statusOf(desktop, token)).toBe('expired');
    const byAdmin = await fx.admin('POST', '/qr/approve', { token, user: 'alice' });
    expect(byAdmin.status).toBe(410);
    expect(byAdmin.body).toMatchObject({ code: 'QR_EXPIRED', field: 'token' });
    const byPhone = await phone.postForm('/qr/approve', { token });
    expect(byPhone.status).toBe(410);
    expect(byPhone.document.querySelector('.error[role="alert"]')?.text).toContain('expired');
    const complete = await desktop.get(`/login/qr/${token}/complete`);
    expect(complete.status).toBe(410);
    expect(desktop.sessionId).toBeUndefined();
  });

  it('answers 404 naming the token for a token it never issued', async () => {
    fx = await SandboxFixture.start();
    await fx.addUser('alice');
    const status = await fx.anonymous().getJson('/login/qr/not-a-real-token-000000/status');
    expect(status).toEqual({ status: 404, body: { code: 'NOT_FOUND', message: expect.any(String), field: 'token' } });
    const approve = await fx.admin('POST', '/qr/approve', { token: 'not-a-real-token-000000', user: 'alice' });
    expect(approve.status).toBe(404);
    expect(approve.body).toMatchObject({ code: 'NOT_FOUND', field: 'token' });
  });
});
