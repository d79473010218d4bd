import type { RequestHandler } from 'express';

/**
 * The dashboard's Content-Security-Policy. Scripts only from the master itself (the bundle is
 * `app.js`, no inline script); styles also inline, because the dashboard sets progress bars' widths
 * with `style` attributes and the plain status page has a `<style>` block; images also `data:`,
 * the QR code of a login; `connect-src 'self'` covers the API and the same-origin Socket.IO
 * websocket. No page may frame it (clickjacking), no `<base>` or plugin may change where it loads from.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** On every response (pages, API answers, errors, files): set before any route can answer. */
export const securityHeaders: RequestHandler = (_req, res, next) => {
  res.setHeader('content-security-policy', CONTENT_SECURITY_POLICY);
  // For browsers that predate `frame-ancestors`.
  res.setHeader('x-frame-options', 'DENY');
  res.setHeader('x-content-type-options', 'nosniff');
  // Job and account ids in the dashboard's URLs stay out of other sites' logs.
  res.setHeader('referrer-policy', 'no-referrer');
  next();
};
