export interface BackoffOptions {
  /** @defaultValue 1000 */
  baseMs?: number;
  /** @defaultValue 60000 */
  maxMs?: number;
}

/** Exponential backoff with ±25 % jitter, so retries of a failed burst do not arrive together. */
export function retryDelayMs(attempt: number, options: BackoffOptions = {}, random: () => number = Math.random): number {
  const base = options.baseMs ?? 1000;
  const max = options.maxMs ?? 60_000;
  const exponential = Math.min(max, base * 2 ** Math.max(0, attempt - 1));
  return Math.round(exponential * (0.75 + random() * 0.5));
}
