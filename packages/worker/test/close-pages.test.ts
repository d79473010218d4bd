import { describe, expect, it } from 'vitest';
import { closePagesWithin } from '../src/runner/close-pages.js';

/** Pure logic: which pages count as stuck. The real Chromium hang is chased in the e2e tests. */
describe("closing a job's pages within a bound", () => {
  it('returns the pages whose close never settles, after the bound, and none of those that closed or failed to', async () => {
    const closed = { close: () => Promise.resolve() };
    const failed = { close: () => Promise.reject(new Error('Target closed')) };
    const stuck = { close: () => new Promise<void>(() => undefined) };
    expect(await closePagesWithin([closed, stuck, failed], 200)).toEqual([stuck]);
    expect(await closePagesWithin([closed, failed], 10_000)).toEqual([]);
  });
});
