import { timingSafeEqual } from 'node:crypto';
import { hashToken } from '@fleetwright/shared';

/** A configured secret token (the admin token, the fleet token), kept as its hash, computed once. */
export class TokenHash {
  private readonly hash: Buffer;

  constructor(token: string) {
    this.hash = Buffer.from(hashToken(token), 'hex');
  }

  /** Whether `hash` (a presented token's `hashToken`) is this token's, compared in constant time. */
  matches(hash: string): boolean {
    return timingSafeEqual(Buffer.from(hash, 'hex'), this.hash);
  }
}
