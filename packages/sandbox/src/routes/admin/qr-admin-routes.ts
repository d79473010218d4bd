import express, { type Router } from 'express';
import { z } from 'zod';
import type { SandboxStore } from '../../store/sandbox-store.js';
import { describeQrFailure } from '../qr-failures.js';
import { parseJson, sendAdminError, userOr404 } from './admin-json.js';

const QrApproveBody = z.strictObject({
  token: z.string().min(1),
  /** Handle or email of the user the sign-in is for. */
  user: z.string().min(1),
});

/** The "phone" for tests: approves a QR sign-in token for a user without a second browser. */
export function qrAdminRoutes(store: SandboxStore): Router {
  const router = express.Router();
  router.post('/qr/approve', (req, res) => {
    const body = parseJson(QrApproveBody, req, res);
    if (!body) return;
    const user = userOr404(store, res, body.user, 'user');
    if (!user) return;
    const outcome = store.qrLogins.approve(body.token, user.id);
    if (!outcome.ok) {
      const failure = describeQrFailure(outcome.reason);
      sendAdminError(res, failure.code, failure.message, 'token');
      return;
    }
    res.json({ token: body.token, status: 'approved', user: user.handle });
  });
  return router;
}
