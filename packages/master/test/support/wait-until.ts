import { waitFor } from '../../../../test/support/wait-for.js';

/** The repo's bounded poll, with this suite's short default deadline. */
export function waitUntil<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs = 5_000, intervalMs = 25): Promise<T> {
  return waitFor(what, check, timeoutMs, intervalMs);
}

/** A fixed pause, for proving that something does NOT happen within a window. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
