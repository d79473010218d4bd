import { randomBytes, randomInt } from 'node:crypto';

/** A sign-in that passed the password and waits for the one-time code the user's phone shows. */
export interface SecondFactorChallenge {
  /** Opaque id kept in a cookie on the signing-in device; never shown on a page. */
  id: string;
  userId: string;
  /** Six digits, shown only on the user's phone page. */
  code: string;
  expiresAt: number;
  /** Wrong codes left before the challenge is dropped and the password must be entered again. */
  attemptsLeft: number;
}

export type SecondFactorOutcome = { ok: true; userId: string } | { ok: false; reason: 'unknown' | 'expired' | 'wrong-code' | 'too-many-attempts' };

const ATTEMPTS = 5;

/**
 * One-time codes for accounts with a second factor. Expiry is computed on read, so there is no
 * timer to clean up when the server closes.
 */
export class SecondFactorStore {
  private readonly challenges = new Map<string, SecondFactorChallenge>();
  /** Users who have the second factor on. */
  private readonly enrolled = new Set<string>();

  constructor(private readonly now: () => number = Date.now) {}

  enable(userId: string): void {
    this.enrolled.add(userId);
  }

  isEnabled(userId: string): boolean {
    return this.enrolled.has(userId);
  }

  /** A new challenge replaces the user's earlier ones: only the latest code works. */
  challenge(userId: string, ttlMs: number): SecondFactorChallenge {
    for (const [id, c] of this.challenges) if (c.userId === userId || c.expiresAt <= this.now()) this.challenges.delete(id);
    const challenge: SecondFactorChallenge = {
      id: randomBytes(24).toString('base64url'),
      userId,
      code: String(randomInt(0, 1_000_000)).padStart(6, '0'),
      expiresAt: this.now() + ttlMs,
      attemptsLeft: ATTEMPTS,
    };
    this.challenges.set(challenge.id, challenge);
    return challenge;
  }

  /** The code the user's phone shows now, if a sign-in waits for one. */
  pendingCodeOf(userId: string): string | undefined {
    for (const c of this.challenges.values()) if (c.userId === userId && c.expiresAt > this.now()) return c.code;
    return undefined;
  }

  /** A right code consumes the challenge; a wrong one costs an attempt. */
  verify(id: string, code: string): SecondFactorOutcome {
    const challenge = this.challenges.get(id);
    if (!challenge) return { ok: false, reason: 'unknown' };
    if (challenge.expiresAt <= this.now()) {
      this.challenges.delete(id);
      return { ok: false, reason: 'expired' };
    }
    if (code.trim() !== challenge.code) {
      challenge.attemptsLeft -= 1;
      if (challenge.attemptsLeft > 0) return { ok: false, reason: 'wrong-code' };
      this.challenges.delete(id);
      return { ok: false, reason: 'too-many-attempts' };
    }
    this.challenges.delete(id);
    return { ok: true, userId: challenge.userId };
  }
}
