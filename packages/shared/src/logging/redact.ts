/** Keys whose values are secrets wherever they appear in a log record. */
const SECRET_KEY_PATTERN = /pass(word)?|secret|token|authorization|cookie|credential|storage_?state|proxy|api_?key|private/i;
export const REDACTED = '[redacted]';

const knownSecrets = new Set<string>();

/**
 * Registers a secret value (a password, a token) so that it is replaced in every later log line,
 * even inside free text. Values shorter than 6 characters are ignored: too likely to hit normal words.
 */
export function registerSecret(value: string | undefined | null): void {
  if (value && value.length >= 6) knownSecrets.add(value);
}

/*
 * URL userinfo. The scheme is looked for behind `://` (a bounded lookbehind) rather than matched
 * forwards: matched forwards and unbounded (`[a-z][a-z0-9+.-]*://`), every letter of a long word
 * started a match that ran to the word's end before failing, quadratic: 1.7 s for one 40 KB field.
 * Now only a `://` starts any work (the literal comes first, so other places fail at once), at
 * most 32 steps back. Forwards, the user part stops at `:` and
 * the password at `/`, `@` or space, and every `://` holds a `/`, so the scans of different URLs
 * never overlap: linear in the text. The scheme is kept as it was, so the output is the same.
 */
// user:password@ (user may be empty, as in redis://:password@host) keeps the user, hides the password.
const URL_PASSWORD = /:\/\/(?<=[a-z][a-z0-9+.-]{0,31}:\/\/)([^\s/@:]*):([^\s/@]+)@/gi;
// A bare token in the user part (https://TOKEN@host) is hidden whole.
const URL_TOKEN = /:\/\/(?<=[a-z][a-z0-9+.-]{0,31}:\/\/)([^\s/@:]{16,})@/gi;

/** Scrubs credentials out of free text: URL userinfo, bearer tokens, and registered secrets. */
export function redactText(text: string): string {
  let out = text
    .replace(URL_PASSWORD, '://$1:****@')
    .replace(URL_TOKEN, '://****@')
    .replace(/\bBearer\s+[A-Za-z0-9._~+/=-]+/gi, 'Bearer [redacted]')
    // Basic credentials are base64 of user:pass: long runs of base64, not an ordinary word.
    .replace(/\b(Basic)\s+[A-Za-z0-9+/]{8,}={0,2}(?![A-Za-z0-9+/=])/gi, '$1 [redacted]');
  for (const secret of knownSecrets) {
    if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  }
  return out;
}

/** Deep copy of `value` with secret-named keys replaced and free text scrubbed. */
export function redactValue(value: unknown, depth = 0): unknown {
  if (depth > 8) return '[too deep]';
  if (typeof value === 'string') return redactText(value);
  if (Array.isArray(value)) return value.map((v) => redactValue(v, depth + 1));
  if (value instanceof Error) return { name: value.name, message: redactText(value.message), stack: value.stack ? redactText(value.stack) : undefined };
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) out[key] = SECRET_KEY_PATTERN.test(key) && v != null && v !== '' ? REDACTED : redactValue(v, depth + 1);
    return out;
  }
  return value;
}
