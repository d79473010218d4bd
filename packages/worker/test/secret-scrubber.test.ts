import { describe, expect, it } from 'vitest';
import { SecretScrubber } from '../dist/runner/secret-scrubber.js';
import { accountSecrets } from '../dist/runner/account-secrets.js';

const PASSWORD = 'Zebra 8841/"pw"+&<secret>';

describe('SecretScrubber (pure logic)', () => {
  it('replaces a secret as is, URL-encoded, form-encoded, JSON-escaped and HTML-escaped', () => {
    const scrubber = new SecretScrubber([PASSWORD]);
    const forms = [
      PASSWORD,
      encodeURIComponent(PASSWORD),
      new URLSearchParams({ p: PASSWORD }).toString().slice(2),
      JSON.stringify(PASSWORD).slice(1, -1),
      'Zebra 8841/&quot;pw&quot;+&amp;&lt;secret&gt;',
    ];
    expect(new Set(forms).size).toBe(5);
    for (const form of forms) expect(scrubber.text(`before ${form} after`)).toBe('before [redacted] after');
  });

  it('ignores values under 6 characters, which are too likely to be ordinary words', () => {
    const scrubber = new SecretScrubber(['true', 'en', '12345', null, undefined, '']);
    expect(scrubber.size).toBe(0);
    expect(scrubber.text('true en 12345')).toBe('true en 12345');
  });

  it('replaces a secret inside another whole, longest first', () => {
    const scrubber = new SecretScrubber(['token-abc', 'token-abc-extended']);
    expect(scrubber.text('a token-abc-extended b token-abc')).toBe('a [redacted] b [redacted]');
  });

  it('replaces bytes in a binary buffer without touching the rest, and returns the same buffer when there is nothing to replace', () => {
    const scrubber = new SecretScrubber(['session-value-1']);
    const binary = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff, ...Buffer.from('session-value-1'), 0xfe, 0x00]);
    expect([...scrubber.bytes(binary)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff, ...Buffer.from('[redacted]'), 0xfe, 0x00]);
    const clean = Buffer.from([1, 2, 3]);
    expect(scrubber.bytes(clean)).toBe(clean);
    const unicode = new SecretScrubber(['pässwört-€1']);
    expect(unicode.bytes(Buffer.from('{"value":"pässwört-€1","also":"p%C3%A4ssw%C3%B6rt-%E2%82%AC1"}', 'utf8')).toString('utf8')).toBe(
      '{"value":"[redacted]","also":"[redacted]"}',
    );
  });

  it('scrubs a value deep, keys too, the way JSON would send it, with cycles and depth bounded', () => {
    const scrubber = new SecretScrubber(['cookie-value-9']);
    const cyclic: Record<string, unknown> = { text: 'has cookie-value-9' };
    cyclic.self = cyclic;
    let deep: unknown = 'cookie-value-9';
    for (let i = 0; i < 100; i += 1) deep = [deep];
    const input = {
      a: [{ b: { c: 'x cookie-value-9 y' } }],
      'cookie-value-9': 1,
      when: { toJSON: () => 'at cookie-value-9' },
      n: 4,
      ok: true,
      none: null,
      cyclic,
      deep,
    };

    const out = scrubber.value(input) as Record<string, unknown>;

    expect(out).toMatchObject({
      a: [{ b: { c: 'x [redacted] y' } }],
      '[redacted]': 1,
      when: 'at [redacted]',
      n: 4,
      ok: true,
      none: null,
      cyclic: { text: 'has [redacted]', self: '[circular]' },
    });
    expect(JSON.stringify(out)).not.toContain('cookie-value-9');
    expect(JSON.stringify(out.deep)).toContain('[too deep]');
    // The input is left as it was.
    expect(input.a[0]!.b.c).toBe('x cookie-value-9 y');
  });
});

describe('accountSecrets', () => {
  it("takes every credential field but the username, the proxy's password and every stored cookie and localStorage value", () => {
    const values = accountSecrets({
      credentials: { username: 'alice-the-user', password: 'pw-123456' },
      proxy: 'http://proxy-user:proxy%3Apw%40x@127.0.0.1:8080',
      storageState: {
        cookies: [{ name: 'sid', value: 'cookie-value-1' }],
        origins: [{ origin: 'http://127.0.0.1:1', localStorage: [{ name: 'token', value: 'ls-value-1' }] }],
      },
    });
    expect(values.sort()).toEqual(['cookie-value-1', 'ls-value-1', 'proxy:pw@x', 'pw-123456']);
  });

  it('takes token-like session values only: a word-like setting stays, whatever the password looks like', () => {
    const values = accountSecrets({
      credentials: { username: 'alice', password: 'sunshine' },
      proxy: null,
      storageState: {
        cookies: ['necessary', 'dark-mode', '1733380000', 'GA1.1.2345', 'aB3dE5gH7jK9mN1pQ3sT'].map((value) => ({ name: 'c', value })),
        origins: [
          {
            origin: 'http://127.0.0.1:1',
            localStorage: [
              { name: 'theme', value: 'high contrast theme setting' },
              { name: 'jwt', value: 'eyJhbGciOiJIUzI1NiJ9.e30.sig' },
            ],
          },
        ],
      },
    });
    expect(values.sort()).toEqual(['GA1.1.2345', 'aB3dE5gH7jK9mN1pQ3sT', 'eyJhbGciOiJIUzI1NiJ9.e30.sig', 'sunshine']);
  });
});
