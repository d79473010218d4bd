/** At most this many characters of a refused report are stored (a QR report carries up to 2 MB). */
export const REFUSED_DETAIL_MAX_CHARS = 4_096;
/** Strings in a stored refused report are cut to this many characters. */
const STRING_MAX_CHARS = 256;

/**
 * The JSON stored for a refused report: whole when small; otherwise with every long string cut
 * (ids, codes and numbers are what matter), and if that is still too long, the head of it,
 * marked as truncated. Always valid JSON, never over REFUSED_DETAIL_MAX_CHARS.
 */
export function refusedReportDetail(detail: Record<string, unknown>): string {
  const whole = JSON.stringify(detail);
  if (whole.length <= REFUSED_DETAIL_MAX_CHARS) return whole;
  const cut = JSON.stringify(cutStrings(detail, 0));
  if (cut.length <= REFUSED_DETAIL_MAX_CHARS) return cut;
  return JSON.stringify({ truncated: true, chars: whole.length, head: cut.slice(0, REFUSED_DETAIL_MAX_CHARS - 128) });
}

function cutStrings(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return value.length <= STRING_MAX_CHARS ? value : `${value.slice(0, STRING_MAX_CHARS)}… (${value.length} chars)`;
  if (depth >= 8 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.slice(0, 32).map((v) => cutStrings(v, depth + 1));
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>)
      .slice(0, 64)
      .map(([k, v]) => [k, cutStrings(v, depth + 1)]),
  );
}
