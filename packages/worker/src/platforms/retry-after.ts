/**
 * How long a throttled platform asks to wait, from its answer's headers (names lowercase, as
 * Playwright's `response.headers()` gives them): `retry-after-ms` (whole milliseconds, which some
 * platforms and the sandbox send), else HTTP's `retry-after` in seconds or as a date. Undefined
 * when neither says; for `ctx.rateLimited({ retryAfterMs })`.
 */
export function retryAfterMsOf(headers: Record<string, string>, now = Date.now()): number | undefined {
  const ms = headers['retry-after-ms']?.trim();
  if (ms && /^\d+$/.test(ms)) return Number(ms);
  const value = headers['retry-after']?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  // An HTTP date names its day and zone (`Sat, 05 Dec 2026 12:00:30 GMT`); a bare number is not one.
  const at = /[a-z]/i.test(value) ? Date.parse(value) : Number.NaN;
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
