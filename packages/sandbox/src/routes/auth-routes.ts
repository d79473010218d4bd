import express, { type Router } from 'express';
import { html, layout } from '../html.js';
import type { SandboxStore } from '../store/sandbox-store.js';
import { SECOND_FACTOR_COOKIE } from './second-factor-routes.js';
import { currentUser, readCookie, SESSION_COOKIE } from './session.js';

/** How long the code a second-factor sign-in waits for stays valid. */
const SECOND_FACTOR_TTL_MS = 5 * 60_000;

function safeNext(next: unknown): string {
  return typeof next === 'string' && next.startsWith('/') && !next.startsWith('//') ? next : '/home';
}

function loginPage(next: string, error?: string): string {
  return layout(
    'Sign in',
    html`<h1>Sign in</h1>
${error ? html`<p class="error" role="alert">${error}</p>` : ''}
<form id="login-form" method="post" action="/login">
  <input type="hidden" name="next" value="${next}">
  <label>Handle or email <input name="username" autocomplete="username" required></label>
  <label>Password <input name="password" type="password" autocomplete="current-password" required></label>
  <button type="submit" id="login-submit">Sign in</button>
</form>
<p><a id="qr-login-link" href="/login/qr">Sign in with a QR code</a></p>`,
  );
}

export function authRoutes(store: SandboxStore): Router {
  const router = express.Router();
  router.get('/login', (req, res) => {
    const next = safeNext(req.query.next);
    if (currentUser(store, req)) {
      res.redirect(next);
      return;
    }
    res.type('html').send(loginPage(next));
  });
  router.post('/login', express.urlencoded({ extended: false }), (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const next = safeNext(body.next);
    const user = typeof body.username === 'string' && typeof body.password === 'string' ? store.verifyPassword(body.username, body.password) : undefined;
    if (!user) {
      res.status(401).type('html').send(loginPage(next, 'Invalid username or password'));
      return;
    }
    if (store.secondFactors.isEnabled(user.id)) {
      const challenge = store.secondFactors.challenge(user.id, SECOND_FACTOR_TTL_MS);
      res.cookie(SECOND_FACTOR_COOKIE, challenge.id, { httpOnly: true, sameSite: 'lax', path: '/' });
      res.redirect(303, `/login/code?next=${encodeURIComponent(next)}`);
      return;
    }
    const session = store.createSession(user.id, req.get('user-agent') ?? '');
    res.cookie(SESSION_COOKIE, session.id, { httpOnly: true, sameSite: 'lax', path: '/' });
    res.redirect(303, next);
  });
  router.post('/logout', (req, res) => {
    const sid = readCookie(req, SESSION_COOKIE);
    if (sid) store.sessions.delete(sid);
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.redirect(303, '/login');
  });
  return router;
}
