import { describe, expect, it } from 'vitest';
import { ReplyPacing, busiestWindow } from '../dist/store/reply-pacing.js';

describe('reply pacing (sliding window)', () => {
  it('lets max replies through per window and says when the next one fits', () => {
    const pacing = new ReplyPacing();
    pacing.setLimit('u1', { max: 2, windowMs: 1000 });
    expect(pacing.waitBeforeReply('u1', 10_000)).toBe(0);
    pacing.recordAccepted('u1', 10_000);
    pacing.recordAccepted('u1', 10_300);
    expect(pacing.waitBeforeReply('u1', 10_500)).toBe(500);
    expect(pacing.waitBeforeReply('u1', 10_999)).toBe(1);
    // The first reply leaves the window at 11 000 ms: the third fits then.
    expect(pacing.waitBeforeReply('u1', 11_000)).toBe(0);
    expect(pacing.refusedCount('u1')).toBe(2);
  });

  it('waits for enough replies to leave after the limit is lowered', () => {
    const pacing = new ReplyPacing();
    for (const t of [0, 100, 200, 300]) pacing.recordAccepted('u1', t);
    pacing.setLimit('u1', { max: 2, windowMs: 1000 });
    // Four in the window, room for two: the third oldest (at 200) must leave first.
    expect(pacing.waitBeforeReply('u1', 400)).toBe(800);
  });

  it('counts the busiest window as the limit does', () => {
    expect(busiestWindow([], 1000)).toBe(0);
    expect(busiestWindow([0, 999, 1000, 1999, 2000], 1000)).toBe(2);
    expect(busiestWindow([5, 1, 3, 2, 4], 10)).toBe(5);
  });
});
