import express, { type Router } from 'express';
import { z } from 'zod';
import { html, layout } from '../html.js';
import type { SandboxStore, SandboxUser } from '../store/sandbox-store.js';
import { errorPage } from '../views/error-page.js';
import { describeQrFailure } from './qr-failures.js';
import { requireUser } from './session.js';
import { formBody, parseForm } from './validation.js';

const ApproveForm = z.object({ token: z.string().min(1, 'the sign-in code is missing') });

/**
 * The "phone" side of QR sign-in: a signed-in user confirms a scanned token, and the waiting
 * device then signs in as them.
 */
export function qrApproveRoutes(store: SandboxStore): Router {
  const router = express.Router();

  router.get('/qr/approve', requireUser(store), (req, res) => {
    const user = res.locals.user as SandboxUser;
    const token = typeof req.query.token === 'string' ? req.query.token : '';
    const status = token ? store.qrLogins.statusOf(token) : undefined;
    if (status !== 'pending' && status !== 'approved') {
      const failure = describeQrFailure(status ?? 'unknown');
      res
        .status(failure.status)
        .type('html')
        .send(errorPage('Cannot approve sign-in', failure.message, user.handle));
      return;
    }
    res.type('html').send(
      layout(
        'Approve sign-in',
        html`<h1>Approve sign-in?</h1>
<p>The device showing this code will be signed in as <strong>@${user.handle}</strong>. Only approve a code you scanned yourself, just now.</p>
<form id="qr-approve-form" method="post" action="/qr/approve">
  <input type="hidden" name="token" value="${token}">
  <button type="submit" id="qr-approve-submit">Approve sign-in</button>
</form>`,
        user.handle,
      ),
    );
  });

  router.post('/qr/approve', requireUser(store), formBody, (req, res) => {
    const user = res.locals.user as SandboxUser;
    const form = parseForm(ApproveForm, req);
    if (!form.ok) {
      res
        .status(400)
        .type('html')
        .send(errorPage('Cannot approve sign-in', form.message, user.handle));
      return;
    }
    const outcome = store.qrLogins.approve(form.data.token, user.id);
    if (!outcome.ok) {
      const failure = describeQrFailure(outcome.reason);
      res
        .status(failure.status)
        .type('html')
        .send(errorPage('Cannot approve sign-in', failure.message, user.handle));
      return;
    }
    res
      .type('html')
      .send(
        layout(
          'Sign-in approved',
          html`<h1>Sign-in approved</h1><p id="qr-approve-result">Approved. The other device is signing in as @${user.handle}.</p>`,
          user.handle,
        ),
      );
  });
  return router;
}
