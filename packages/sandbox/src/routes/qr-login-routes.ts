import express, { type Router } from 'express';
import QRCode from 'qrcode';
import { html, layout, SafeHtml } from '../html.js';
import type { SandboxStore } from '../store/sandbox-store.js';
import { errorPage } from '../views/error-page.js';
import { describeQrFailure } from './qr-failures.js';
import { currentUser, SESSION_COOKIE } from './session.js';

export interface QrLoginRouteOptions {
  /** How long a QR code can be approved and used. */
  ttlMs: number;
}

/** How often the waiting page asks whether the phone approved. */
const POLL_INTERVAL_MS = 500;

/**
 * The waiting page's only script: poll the status and, once it is settled, go to the complete
 * URL, which signs in (approved) or explains the failure (expired, consumed) as a normal page.
 * It reads its URLs from data attributes so no value is ever interpolated into JavaScript.
 */
const POLL_SCRIPT = new SafeHtml(`<script>
(() => {
  const box = document.getElementById('qr-login');
  const status = document.getElementById('qr-status');
  const timer = setInterval(async () => {
    try {
      const res = await fetch(box.dataset.statusUrl, { cache: 'no-store' });
      const body = await res.json();
      if (body.status === 'pending') return;
      clearInterval(timer);
      status.textContent = body.status === 'approved' ? 'Approved, signing in' : 'This code can no longer be used';
      location.assign(box.dataset.completeUrl);
    } catch {
      // A missed poll is retried on the next tick.
    }
  }, ${POLL_INTERVAL_MS});
})();
</script>`);

/** Sign-in by QR code on the "desktop" side: show the code, wait for the phone, then sign in once. */
export function qrLoginRoutes(store: SandboxStore, options: QrLoginRouteOptions): Router {
  const router = express.Router();

  router.get('/login/qr', async (req, res) => {
    if (currentUser(store, req)) {
      res.redirect('/home');
      return;
    }
    const login = store.qrLogins.create(options.ttlMs);
    const image = await QRCode.toDataURL(login.token, { errorCorrectionLevel: 'M', margin: 2, width: 256 });
    const base = `/login/qr/${encodeURIComponent(login.token)}`;
    res
      .set('cache-control', 'no-store')
      .type('html')
      .send(
        layout(
          'Sign in with a QR code',
          html`<h1>Sign in with a QR code</h1>
<section id="qr-login" data-status-url="${base}/status" data-complete-url="${base}/complete">
  <img id="qr-image" alt="QR code" width="256" height="256" src="${image}">
  <p id="qr-status" role="status">Waiting for approval</p>
  <p>Scan the code with the Sandbox app on a phone where you are signed in. It expires at <time id="qr-expires" datetime="${new Date(login.expiresAt).toISOString()}">${new Date(login.expiresAt).toISOString()}</time>.</p>
  <p><a href="/login">Sign in with a password instead</a></p>
</section>
${POLL_SCRIPT}`,
        ),
      );
  });

  router.get('/login/qr/:token/status', (req, res) => {
    const status = store.qrLogins.statusOf(req.params.token);
    res.set('cache-control', 'no-store');
    if (!status) {
      res.status(404).json({ code: 'NOT_FOUND', message: 'no such sign-in code', field: 'token' });
      return;
    }
    res.json({ status });
  });

  router.get('/login/qr/:token/complete', (req, res) => {
    const outcome = store.qrLogins.complete(req.params.token);
    if (!outcome.ok) {
      const failure = describeQrFailure(outcome.reason);
      res
        .status(failure.status)
        .type('html')
        .send(errorPage('QR sign-in failed', failure.message, undefined, html`<p><a id="qr-restart-link" href="/login/qr">Get a new code</a></p>`));
      return;
    }
    const session = store.createSession(outcome.userId, req.get('user-agent') ?? '');
    res.cookie(SESSION_COOKIE, session.id, { httpOnly: true, sameSite: 'lax', path: '/' });
    res.redirect(303, '/home');
  });
  return router;
}
