import { describe, expect, it } from 'vitest';
import { retryAfterMsOf } from '@fleetwright/worker';

describe('retryAfterMsOf: the wait a throttled platform asks for', () => {
  const now = Date.parse('2026-12-05T12:00:00Z');

  it('prefers whole milliseconds, then HTTP seconds, then an HTTP date', () => {
    expect(retryAfterMsOf({ 'retry-after-ms': '1500', 'retry-after': '2' }, now)).toBe(1500);
    expect(retryAfterMsOf({ 'retry-after': '2' }, now)).toBe(2000);
    expect(retryAfterMsOf({ 'retry-after': ' 0 ' }, now)).toBe(0);
    expect(retryAfterMsOf({ 'retry-after': 'Sat, 05 Dec 2026 12:00:30 GMT' }, now)).toBe(30_000);
  });

  it('reads a date already past as no wait, and a header that says nothing usable as undefined', () => {
    expect(retryAfterMsOf({ 'retry-after': 'Sat, 05 Dec 2026 11:00:00 GMT' }, now)).toBe(0);
    expect(retryAfterMsOf({}, now)).toBeUndefined();
    expect(retryAfterMsOf({ 'retry-after': 'soon' }, now)).toBeUndefined();
    expect(retryAfterMsOf({ 'retry-after': '-5' }, now)).toBeUndefined();
    expect(retryAfterMsOf({ 'retry-after-ms': '1.5', 'retry-after': '3' }, now)).toBe(3000);
  });
});
