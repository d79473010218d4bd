import { REDACTED } from '@fleetwright/shared';

/** Shorter values are too likely to be ordinary words or numbers (the log redactor's bound too). */
const MIN_SECRET_LENGTH = 6;
/** Deeper than any result a plugin means to send; what lies below is dropped, not sent unscrubbed. */
const MAX_DEPTH = 64;

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * The ways a secret is written where it can leak: as is, URL-encoded (a query, a proxy URL),
 * form-encoded (a login form's post body), inside a JSON string (trace events, DOM snapshots) and
 * HTML-escaped (a page's markup).
 */
function writtenForms(secret: string): string[] {
  return [
    secret,
    encodeURIComponent(secret),
    new URLSearchParams({ v: secret }).toString().slice(2),
    JSON.stringify(secret).slice(1, -1),
    secret.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!),
  ];
}

/**
 * Replaces one account's secret values (its password, proxy password, cookie and localStorage
 * values) with `[redacted]`, in text, in bytes and deep inside values. Unlike the log redactor's
 * process-wide registry, it knows values that are not registered anywhere (a session cookie the
 * job itself obtained), and it is built per job from that job's own account.
 */
export class SecretScrubber {
  private readonly secrets = new Set<string>();
  /**
   * Every written form of every secret as one alternation, longest first so a secret inside
   * another goes with it: one pass over the text, where a pass per form measured ~6x slower on a
   * trace with a site's many cookies.
   */
  private textPattern: RegExp | null | undefined;
  /** The same over bytes: each form's UTF-8 bytes, matched in a latin1 view (one char per byte). */
  private bytePattern: RegExp | null | undefined;

  constructor(values: Iterable<string | null | undefined> = []) {
    this.add(values);
  }

  add(values: Iterable<string | null | undefined>): void {
    for (const value of values) {
      if (typeof value !== 'string' || value.length < MIN_SECRET_LENGTH || this.secrets.has(value)) continue;
      this.secrets.add(value);
      this.textPattern = undefined;
      this.bytePattern = undefined;
    }
  }

  get size(): number {
    return this.secrets.size;
  }

  private pattern(encode: (form: string) => string): RegExp | null {
    const forms = [...new Set([...this.secrets].flatMap(writtenForms).map(encode))].sort((a, b) => b.length - a.length);
    return forms.length === 0 ? null : new RegExp(forms.map((form) => form.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');
  }

  text(text: string): string {
    this.textPattern ??= this.pattern((form) => form);
    return this.textPattern ? text.replace(this.textPattern, () => REDACTED) : text;
  }

  /** `data` with every secret's UTF-8 bytes replaced; the same buffer when it holds none (binary stays intact). */
  bytes(data: Buffer): Buffer {
    this.bytePattern ??= this.pattern((form) => Buffer.from(form, 'utf8').toString('latin1'));
    if (!this.bytePattern) return data;
    const view = data.toString('latin1');
    if (view.search(this.bytePattern) < 0) return data;
    return Buffer.from(
      view.replace(this.bytePattern, () => REDACTED),
      'latin1',
    );
  }

  /**
   * A copy of a JSON-bound value (a result, an event) with every string and key scrubbed. What
   * JSON would write is what is walked (`toJSON` first), and a cycle or depth past 64 becomes a
   * marker instead of being sent.
   */
  value(value: unknown): unknown {
    return this.secrets.size === 0 ? value : this.walk(value, 0, new Set());
  }

  private walk(value: unknown, depth: number, path: Set<object>): unknown {
    if (typeof value === 'string') return this.text(value);
    if (!value || typeof value !== 'object') return value;
    if (Buffer.isBuffer(value)) return this.bytes(value);
    if (depth >= MAX_DEPTH) return '[too deep]';
    if (path.has(value)) return '[circular]';
    const json = (value as { toJSON?: () => unknown }).toJSON;
    if (typeof json === 'function') return this.walk(json.call(value), depth + 1, path);
    path.add(value);
    try {
      if (Array.isArray(value)) return value.map((v) => this.walk(v, depth + 1, path));
      const out: Record<string, unknown> = {};
      for (const [key, v] of Object.entries(value)) out[this.text(key)] = this.walk(v, depth + 1, path);
      return out;
    } finally {
      path.delete(value);
    }
  }
}
