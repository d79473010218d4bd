import express, { type Router } from 'express';
import { z } from 'zod';
import { html, layout } from '../html.js';
import type { SandboxStore } from '../store/sandbox-store.js';
import type { SecondFactorOutcome } from '../store/second-factor-store.js';
import { errorAlert } from '../views/error-page.js';
import { readCookie, SESSION_COOKIE } from './session.js';
import { formBody, parseForm } from './validation.js';

/** Holds the pending challenge's id between the password and the code; never the code itself. */
export const SECOND_FACTOR_COOKIE = 'sandbox_2fa';

const CodeForm = z.object({ code: z.string().trim().min(1, 'enter the code'), next: z.string().optional() });

const FAILURES: Record<Exclude<SecondFactorOutcome, { ok: true }>['reason'], { status: number; message: string; restart: boolean }> = {
  unknown: { status: 400, message: 'This sign-in has no code waiting. Sign in again.', restart: true },
  expired: { status: 410, message: 'The code expired. Sign in again.', restart: true },
  'wrong-code': { status: 401, message: 'Wrong code. Check your phone and try again.', restart: false },
  'too-many-attempts': { status: 429, message: 'Too many wrong codes. Sign in again.', restart: true },
};

function safeNext(next: unknown): string {
  return typeof next === 'string' && next.startsWith('/') && !next.startsWith('//') ? next : '/home';
}

function codePage(next: string, error?: string): string {
  return layout(
    'Enter your code',
    html`<h1>Enter the code from your phone</h1>
${errorAlert(error)}
<p id="second-factor-prompt">We sent a 6-digit sign-in code to your phone.</p>
<form id="second-factor-form" method="post" action="/login/code">
  <input type="hidden" name="next" value="${next}">
  <label>Code <input id="second-factor-code" name="code" inputmode="numeric" autocomplete="one-time-code" required autofocus></label>
  <button type="submit" id="second-factor-submit">Verify</button>
</form>`,
  );
}

/**
 * The second step of a password sign-in for users with a second factor, and the "phone" page
 * that shows their code: the only place the code ever appears.
 */
export function secondFactorRoutes(store: SandboxStore): Router {
  const router = express.Router();

  router.get('/login/code', (req, res) => {
    res.type('html').send(codePage(safeNext(req.query.next)));
  });

  router.post('/login/code', formBody, (req, res) => {
    const form = parseForm(CodeForm, req);
    const next = safeNext(form.ok ? form.data.next : undefined);
    if (!form.ok) {
      res.status(400).type('html').send(codePage(next, form.message));
      return;
    }
    const outcome = store.secondFactors.verify(readCookie(req, SECOND_FACTOR_COOKIE) ?? '', form.data.code);
    if (!outcome.ok) {
      const failure = FAILURES[outcome.reason];
      if (failure.restart) res.clearCookie(SECOND_FACTOR_COOKIE, { path: '/' });
      res.status(failure.status).type('html').send(codePage(next, failure.message));
      return;
    }
    const session = store.createSession(outcome.userId, req.get('user-agent') ?? '');
    res.clearCookie(SECOND_FACTOR_COOKIE, { path: '/' });
    res.cookie(SESSION_COOKIE, session.id, { httpOnly: true, sameSite: 'lax', path: '/' });
    res.redirect(303, next);
  });

  // Stands in for the SMS a real site would send; on loopback only, like the rest of the sandbox.
  router.get('/phone/:handle', (req, res) => {
    const user = store.findUserByLogin(req.params.handle);
    const code = user ? store.secondFactors.pendingCodeOf(user.id) : undefined;
    res.type('html').send(
      layout(
        'Phone',
        html`<h1>Phone of @${req.params.handle}</h1>
${code ? html`<p>Your sign-in code: <strong id="phone-code">${code}</strong></p>` : html`<p id="phone-empty">No sign-in code waiting.</p>`}`,
      ),
    );
  });
  return router;
}
