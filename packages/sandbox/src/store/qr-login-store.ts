import { randomBytes } from 'node:crypto';

export type QrLoginStatus = 'pending' | 'approved' | 'expired' | 'consumed';

/** One QR sign-in attempt: the token is what the QR code encodes and what the phone approves. */
export interface QrLogin {
  token: string;
  createdAt: number;
  expiresAt: number;
  /** The user who approved it on their "phone"; the session is created for them. */
  approvedBy?: string;
  consumed: boolean;
}

export type QrApproveFailure = 'unknown' | 'expired' | 'consumed' | 'approved-by-other';
export type QrCompleteFailure = 'unknown' | 'expired' | 'consumed' | 'pending';
export type QrApproveOutcome = { ok: true; login: QrLogin } | { ok: false; reason: QrApproveFailure };
export type QrCompleteOutcome = { ok: true; userId: string } | { ok: false; reason: QrCompleteFailure };

/** How long a finished or expired token is kept so its status page can still say why it failed. */
const RETAIN_AFTER_EXPIRY_MS = 10 * 60_000;
/** 24 random bytes: more than the 16 a one-time bearer token needs, and 32 url-safe characters. */
const TOKEN_BYTES = 24;

/**
 * One-time QR sign-in tokens. Expiry is computed on read from the clock, so there is no timer to
 * clean up when the server closes.
 */
export class QrLoginStore {
  private readonly logins = new Map<string, QrLogin>();

  constructor(private readonly now: () => number = Date.now) {}

  create(ttlMs: number): QrLogin {
    const now = this.now();
    this.forgetStale(now);
    const login: QrLogin = { token: randomBytes(TOKEN_BYTES).toString('base64url'), createdAt: now, expiresAt: now + ttlMs, consumed: false };
    this.logins.set(login.token, login);
    return login;
  }

  get(token: string): QrLogin | undefined {
    return this.logins.get(token);
  }

  /** Undefined for a token this site never issued (or forgot long ago). */
  statusOf(token: string): QrLoginStatus | undefined {
    const login = this.logins.get(token);
    return login && this.statusOfLogin(login);
  }

  /** Approving twice by the same user is harmless; another user cannot take over an approved token. */
  approve(token: string, userId: string): QrApproveOutcome {
    const login = this.logins.get(token);
    if (!login) return { ok: false, reason: 'unknown' };
    const status = this.statusOfLogin(login);
    if (status === 'expired' || status === 'consumed') return { ok: false, reason: status };
    if (login.approvedBy !== undefined && login.approvedBy !== userId) return { ok: false, reason: 'approved-by-other' };
    login.approvedBy = userId;
    return { ok: true, login };
  }

  /** Turns an approved token into the approving user's id, exactly once. */
  complete(token: string): QrCompleteOutcome {
    const login = this.logins.get(token);
    if (!login) return { ok: false, reason: 'unknown' };
    const status = this.statusOfLogin(login);
    if (status !== 'approved') return { ok: false, reason: status };
    const userId = login.approvedBy;
    if (userId === undefined) return { ok: false, reason: 'pending' };
    login.consumed = true;
    return { ok: true, userId };
  }

  /** Consumed wins over expired: a used code should say "already used", not "expired". */
  private statusOfLogin(login: QrLogin): QrLoginStatus {
    if (login.consumed) return 'consumed';
    if (this.now() >= login.expiresAt) return 'expired';
    return login.approvedBy === undefined ? 'pending' : 'approved';
  }

  /** Every visit to the QR page makes a token; drop the long-dead ones so the map stays small. */
  private forgetStale(now: number): void {
    for (const [token, login] of this.logins) if (login.expiresAt + RETAIN_AFTER_EXPIRY_MS < now) this.logins.delete(token);
  }
}
