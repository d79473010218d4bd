import { describe, expect, it } from 'vitest';
import { REDACTED, redactText, redactValue, registerSecret } from '@fleetwright/shared';

describe('redactText', () => {
  it('masks the password in URL userinfo and keeps the rest of the URL', () => {
    expect(redactText('proxy http://bob:hunter2@proxy.local:8080 ready')).toBe('proxy http://bob:****@proxy.local:8080 ready');
    expect(redactText('socks5://u:p4ss@h:1080 and rediss://admin:s3cr3t@redis:6380/0')).toBe('socks5://u:****@h:1080 and rediss://admin:****@redis:6380/0');
  });

  it('leaves a URL without a password untouched', () => {
    expect(redactText('GET https://example.com/a?b=1')).toBe('GET https://example.com/a?b=1');
  });

  it('masks the password of a URL with an empty user name (redis://:pass@host)', () => {
    expect(redactText('connecting to redis://:redis-pass-123@127.0.0.1:6379')).not.toContain('redis-pass-123');
  });

  it('masks Bearer and Basic credentials', () => {
    const out = redactText('Authorization: Bearer fw_abc.DEF-123_xyz~+/= next; basic dXNlcjpwYXNz');
    expect(out).not.toContain('fw_abc');
    expect(out).not.toContain('dXNlcjpwYXNz');
    expect(out).toBe('Authorization: Bearer [redacted] next; basic [redacted]');
  });

  it('leaves the ordinary word "basic" alone', () => {
    expect(redactText('the Basic plan costs less')).toBe('the Basic plan costs less');
  });

  it('masks every occurrence of a registered secret, even inside free text', () => {
    registerSecret('tok-ZXCV-987');
    expect(redactText('sent tok-ZXCV-987 twice: tok-ZXCV-987!')).toBe(`sent ${REDACTED} twice: ${REDACTED}!`);
  });

  it('ignores registered values shorter than 6 characters, which would hit ordinary words', () => {
    registerSecret('the');
    registerSecret('');
    registerSecret(undefined);
    registerSecret(null);
    expect(redactText('the theme')).toBe('the theme');
  });
});

describe('redactValue', () => {
  it('replaces secret-named keys at any depth and keeps the others', () => {
    const input = {
      user: 'alice',
      password: 'pw-1',
      account: {
        credentials: { username: 'alice', password: 'pw-2' },
        proxy: 'http://u:pw-3@h:1',
        storageState: { cookies: [{ name: 'sid', value: 'pw-4' }], origins: [] },
        storage_state: 'pw-5',
        nested: [{ cookie: 'pw-6' }, { accessToken: 'pw-7', apiKey: 'pw-8', api_key: 'pw-9' }],
      },
      headers: { Authorization: 'Bearer pw-10', 'x-fleet-secret': 'pw-11', 'Set-Cookie': 'pw-12' },
      privateKey: 'pw-13',
      workerToken: 'pw-14',
      attempts: 3,
    };
    const out = redactValue(input) as typeof input;
    const text = JSON.stringify(out);
    for (let i = 1; i <= 14; i += 1) expect(text).not.toContain(`pw-${i}`);
    expect(out.user).toBe('alice');
    expect(out.password).toBe(REDACTED);
    expect(out.account.credentials).toBe(REDACTED);
    expect(out.account.proxy).toBe(REDACTED);
    expect(out.account.storageState).toBe(REDACTED);
    expect(out.account.nested[0]).toEqual({ cookie: REDACTED });
    expect(out.headers.Authorization).toBe(REDACTED);
    expect(out.attempts).toBe(3);
  });

  it('scrubs free text in values whose key is harmless', () => {
    expect(redactValue({ url: 'http://bob:hunter2@h:1', list: ['Bearer abc.def'] })).toEqual({ url: 'http://bob:****@h:1', list: ['Bearer [redacted]'] });
  });

  it('scrubs the message and stack of an Error', () => {
    const out = redactValue(new Error('cannot reach http://bob:hunter2@proxy:8080')) as { name: string; message: string; stack?: string };
    expect(out.name).toBe('Error');
    expect(out.message).toBe('cannot reach http://bob:****@proxy:8080');
    expect(out.stack).not.toContain('hunter2');
  });

  it('leaves an empty or null secret field as it is, since there is nothing to hide', () => {
    expect(redactValue({ password: '', token: null, proxy: undefined })).toEqual({ password: '', token: null, proxy: undefined });
  });

  it('does not change the object it was given', () => {
    const input = { password: 'pw', nested: { url: 'http://a:b@h:1' } };
    redactValue(input);
    expect(input).toEqual({ password: 'pw', nested: { url: 'http://a:b@h:1' } });
  });

  it('stops at a depth limit instead of recursing forever', () => {
    let deep: Record<string, unknown> = { leaf: 'x' };
    for (let i = 0; i < 20; i += 1) deep = { next: deep };
    expect(JSON.stringify(redactValue(deep))).toContain('[too deep]');
  });
});

describe('redactText on hostile input (~1 MB a field)', () => {
  // These took seconds to minutes when the URL scheme was matched forwards without a bound (each
  // letter of a long word started a scan to its end). No timing is asserted: the test's timeout is
  // the bound, and the outputs are checked exactly.
  const MB = 1 << 20;

  it('leaves long words, scheme-like runs and unterminated userinfo as they are', () => {
    const unchanged = [
      'a'.repeat(MB),
      'a1+.-'.repeat(MB / 5),
      `a://${'b'.repeat(MB)}`,
      `x://${':'.repeat(MB)}`,
      `http://${'u:'.repeat(MB / 2)}`,
      'a:/'.repeat(MB / 3),
      'a://'.repeat(MB / 4),
      `Basic ${'A'.repeat(MB)}===`,
      `Bearer${' '.repeat(MB)}!`,
    ];
    for (const text of unchanged) expect(redactText(text)).toBe(text);
  });

  it('still masks the password behind a megabyte-long scheme-like word', () => {
    const prefix = 'z'.repeat(MB);
    expect(redactText(`${prefix}http://bob:hunter2@proxy:8080`)).toBe(`${prefix}http://bob:****@proxy:8080`);
  });

  it('masks a megabyte-long password and a megabyte-long bare token', () => {
    expect(redactText(`http://u:${'p:'.repeat(MB / 2)}@h:1`)).toBe('http://u:****@h:1');
    expect(redactText(`https://${'T'.repeat(MB)}@h`)).toBe('https://****@h');
  });

  it('masks every one of tens of thousands of URLs, bearer and basic credentials in one field', () => {
    const count = 12_000;
    const text = 'redis://:pw-xyz@r:6379 Bearer tok.abc https://ghp_0123456789abcdefXYZ@git Basic dXNlcjpwYXNz\n'.repeat(count);
    const out = redactText(text);
    expect(out).toBe('redis://:****@r:6379 Bearer [redacted] https://****@git Basic [redacted]\n'.repeat(count));
    expect(text.length).toBeGreaterThan(MB);
  });
});
