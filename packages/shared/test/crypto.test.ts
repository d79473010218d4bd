import { fleetErrorOf } from './support/fleet-error-of.js';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { FleetError, generateSecretKey, generateToken, hashToken, open, parseSecretKey, seal, tokensEqual } from '@fleetwright/shared';

const key = Buffer.alloc(32, 1);
const otherKey = Buffer.alloc(32, 2);

/** Calls `fn` and returns the FleetError it throws. */

/** Swaps one part (`v1:iv:tag:body`) of a sealed value. */
function withPart(sealed: string, index: number, change: (part: Buffer) => Buffer): string {
  const parts = sealed.split(':');
  parts[index] = change(Buffer.from(parts[index] ?? '', 'base64')).toString('base64');
  return parts.join(':');
}

describe('seal and open', () => {
  it('opens what it sealed, unicode and empty strings included', () => {
    for (const plaintext of ['hunter2', '', 'пароль 🔑 with: colons', 'x'.repeat(100_000)]) {
      expect(open(seal(plaintext, key), key)).toBe(plaintext);
      expect(open(seal(plaintext, key, 'acct-1'), key, 'acct-1')).toBe(plaintext);
    }
  });

  it('never leaves the plaintext readable in the sealed value', () => {
    const sealed = seal('hunter2-password', key);
    expect(sealed).toMatch(/^v1:[^:]+:[^:]+:[^:]*$/);
    expect(sealed).not.toContain('hunter2');
    expect(Buffer.from(sealed.split(':')[3] ?? '', 'base64').toString('utf8')).not.toContain('hunter2');
  });

  it('uses a fresh IV, so the same plaintext seals differently each time', () => {
    expect(seal('same', key)).not.toBe(seal('same', key));
  });

  it('refuses to open with the wrong key', () => {
    const error = fleetErrorOf(() => open(seal('secret', key), otherKey));
    expect(error.code).toBe('INTERNAL_ERROR');
    expect(error.message).toContain('does not open');
  });

  it('refuses a value sealed for another place (aad mismatch)', () => {
    const sealed = seal('secret', key, 'account-1');
    expect(fleetErrorOf(() => open(sealed, key, 'account-2')).code).toBe('INTERNAL_ERROR');
    expect(() => open(sealed, key)).toThrow(FleetError);
    expect(() => open(seal('secret', key), key, 'account-1')).toThrow(FleetError);
  });

  it('refuses tampered ciphertext, tag or IV', () => {
    const sealed = seal('pay 100 to alice', key);
    const flipFirst = (b: Buffer) => {
      const copy = Buffer.from(b);
      copy[0] = (copy[0] ?? 0) ^ 0x01;
      return copy;
    };
    expect(() => open(withPart(sealed, 3, flipFirst), key)).toThrow(FleetError);
    expect(() => open(withPart(sealed, 2, flipFirst), key)).toThrow(FleetError);
    expect(() => open(withPart(sealed, 1, flipFirst), key)).toThrow(FleetError);
    expect(() =>
      open(
        withPart(sealed, 3, (b) => b.subarray(0, b.length - 1)),
        key,
      ),
    ).toThrow(FleetError);
  });

  it('refuses a value of unknown format or version', () => {
    expect(fleetErrorOf(() => open('plain text', key)).message).toContain('unknown format');
    expect(() => open(seal('x', key).replace(/^v1:/, 'v2:'), key)).toThrow(FleetError);
    expect(() => open('v1::tag:body', key)).toThrow(FleetError);
  });

  it('refuses a value whose auth tag was truncated', () => {
    const truncated = withPart(seal('secret', key), 2, (tag) => tag.subarray(0, 4));
    expect(() => open(truncated, key)).toThrow(FleetError);
  });
});

describe('parseSecretKey', () => {
  it('accepts 64 hex characters, in either case and with surrounding space', () => {
    const hex = randomBytes(32).toString('hex');
    expect(parseSecretKey(hex)).toEqual(Buffer.from(hex, 'hex'));
    expect(parseSecretKey(` ${hex.toUpperCase()}\n`)).toEqual(Buffer.from(hex, 'hex'));
  });

  it('accepts base64 and base64url of exactly 32 bytes', () => {
    const bytes = Buffer.from(Array.from({ length: 32 }, (_, i) => 250 - i));
    expect(parseSecretKey(bytes.toString('base64'))).toEqual(bytes);
    expect(parseSecretKey(bytes.toString('base64url'))).toEqual(bytes);
  });

  it('accepts the keys generateSecretKey makes', () => {
    expect(parseSecretKey(generateSecretKey())).toHaveLength(32);
  });

  it.each([
    ['empty', ''],
    ['a short word', 'short'],
    ['63 hex characters', 'a'.repeat(63)],
    ['62 hex characters', 'ab'.repeat(31)],
    ['66 hex characters', 'ab'.repeat(33)],
    ['base64 of 31 bytes', Buffer.alloc(31, 3).toString('base64')],
    ['base64 of 33 bytes', Buffer.alloc(33, 3).toString('base64')],
    ['text with spaces inside', 'this is not a key at all, is it?'],
  ])('rejects %s', (_label, text) => {
    expect(parseSecretKey(text)).toBeUndefined();
  });
});

describe('tokens', () => {
  it('hashes a token to stable lowercase sha256 hex', () => {
    expect(hashToken('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(hashToken('abc')).toBe(hashToken('abc'));
    expect(hashToken('abd')).not.toBe(hashToken('abc'));
  });

  it('compares tokens of any lengths without throwing', () => {
    expect(tokensEqual('fw_same', 'fw_same')).toBe(true);
    expect(tokensEqual('fw_same', 'fw_samf')).toBe(false);
    expect(tokensEqual('short', 'a much longer token')).toBe(false);
    expect(tokensEqual('', '')).toBe(true);
    expect(tokensEqual('', 'x')).toBe(false);
  });

  it('generates distinct url-safe tokens with the given prefix', () => {
    const a = generateToken();
    const b = generateToken('wk');
    expect(a).toMatch(/^fw_[A-Za-z0-9_-]{32}$/);
    expect(b).toMatch(/^wk_[A-Za-z0-9_-]{32}$/);
    expect(generateToken()).not.toBe(a);
  });
});
