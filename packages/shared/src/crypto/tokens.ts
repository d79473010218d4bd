import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export function generateToken(prefix = 'fw'): string {
  return `${prefix}_${randomBytes(24).toString('base64url')}`;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Constant-time comparison, so a token cannot be guessed byte by byte from response times. */
export function tokensEqual(a: string, b: string): boolean {
  const ha = Buffer.from(hashToken(a), 'hex');
  const hb = Buffer.from(hashToken(b), 'hex');
  return timingSafeEqual(ha, hb);
}
