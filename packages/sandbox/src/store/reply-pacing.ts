/** At most `max` replies per `windowMs` (a sliding window) from one account. */
export interface ReplyRateLimit {
  max: number;
  windowMs: number;
}

/**
 * How fast each account may reply (replies under comments and DMs alike), and the log of the
 * replies the site accepted, by account, which tests read as the judge of a fleet's pacing. No
 * account is limited until an admin sets one.
 */
export class ReplyPacing {
  private readonly limits = new Map<string, ReplyRateLimit>();
  /** Accepted reply times (epoch ms) per user id, oldest first; kept whether or not a limit is set. */
  private readonly accepted = new Map<string, number[]>();
  /** 429s answered per user id. */
  private readonly refused = new Map<string, number>();

  setLimit(userId: string, limit: ReplyRateLimit): void {
    this.limits.set(userId, { ...limit });
  }

  /** True when there was a limit to remove. */
  removeLimit(userId: string): boolean {
    return this.limits.delete(userId);
  }

  limitOf(userId: string): ReplyRateLimit | undefined {
    return this.limits.get(userId);
  }

  limitedUsers(): string[] {
    return [...this.limits.keys()];
  }

  /**
   * 0 when the user may reply now; otherwise how long until one more reply fits their window
   * (always more than 0), counted as a refusal.
   */
  waitBeforeReply(userId: string, now = Date.now()): number {
    const limit = this.limits.get(userId);
    if (!limit) return 0;
    const times = this.accepted.get(userId) ?? [];
    const inWindow = times.filter((t) => t > now - limit.windowMs);
    if (inWindow.length < limit.max) return 0;
    this.refused.set(userId, (this.refused.get(userId) ?? 0) + 1);
    // The window has room again once enough of its replies have left it.
    return (inWindow[inWindow.length - limit.max] as number) + limit.windowMs - now;
  }

  recordAccepted(userId: string, at = Date.now()): void {
    const times = this.accepted.get(userId);
    if (times) times.push(at);
    else this.accepted.set(userId, [at]);
  }

  acceptedTimes(userId: string): readonly number[] {
    return this.accepted.get(userId) ?? [];
  }

  refusedCount(userId: string): number {
    return this.refused.get(userId) ?? 0;
  }

  /** Users who replied or were refused. */
  activeUsers(): string[] {
    return [...new Set([...this.accepted.keys(), ...this.refused.keys()])];
  }
}

/** The most accepted replies in any window of `windowMs` (`(t - windowMs, t]`, as the limit counts). */
export function busiestWindow(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end += 1) {
    while ((sorted[start] as number) <= (sorted[end] as number) - windowMs) start += 1;
    most = Math.max(most, end - start + 1);
  }
  return most;
}
