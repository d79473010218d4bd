import { afterEach, beforeEach, expect, it } from 'vitest';
import type { FleetBackend } from '@fleetwright/master';
import { jobIn, type ConformanceTarget, type OpenedBackend } from './conformance-setup.js';

/** LimitsBackend: limits set once per scope, target and job type; pauses that only grow; the reads that rebuild the windows. */
export function describeLimitsConformance(target: ConformanceTarget): void {
  let opened: OpenedBackend;
  let store: FleetBackend;
  beforeEach(async () => {
    opened = await target.open();
    store = opened.backend;
  });
  afterEach(() => opened.dispose());

  it('sets a limit under its scope, target and job type, replaces its rule when set again, and deletes it', async () => {
    expect(await store.limits.list()).toEqual([]);
    const first = await store.limits.put({ scope: 'account', target: 'acc-1', jobType: 'reply', rule: { max: 20, windowMs: 3_600_000 } });
    expect(first).toEqual({
      id: 'account:acc-1:reply',
      scope: 'account',
      target: 'acc-1',
      jobType: 'reply',
      rule: { max: 20, windowMs: 3_600_000 },
      createdAt: expect.any(Number),
      updatedAt: first.createdAt,
    });
    await store.limits.put({ scope: 'platform', target: 'sandbox', jobType: 'login', rule: { max: 30, windowMs: 60_000, concurrency: 5 } });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const replaced = await store.limits.put({ scope: 'account', target: 'acc-1', jobType: 'reply', rule: { concurrency: 1 } });
    expect(replaced).toMatchObject({ id: first.id, rule: { concurrency: 1 }, createdAt: first.createdAt });
    expect(replaced.updatedAt).toBeGreaterThan(first.updatedAt);
    expect((await store.limits.list()).map((l) => [l.id, l.rule])).toEqual([
      ['account:acc-1:reply', { concurrency: 1 }],
      ['platform:sandbox:login', { max: 30, windowMs: 60_000, concurrency: 5 }],
    ]);
    expect(await store.limits.delete(first.id)).toBe(true);
    expect(await store.limits.delete(first.id)).toBe(false);
    expect((await store.limits.list()).map((l) => l.id)).toEqual(['platform:sandbox:login']);
  });

  it('keeps the later end when a scope is paused again, and lists only the pauses not yet over', async () => {
    const now = Date.now();
    expect(await store.limits.pause('account', 'acc-1', now + 60_000, 'first')).toEqual({
      scope: 'account',
      target: 'acc-1',
      until: now + 60_000,
      reason: 'first',
    });
    expect(await store.limits.pause('account', 'acc-1', now + 30_000, 'shorter')).toEqual({
      scope: 'account',
      target: 'acc-1',
      until: now + 60_000,
      reason: 'first',
    });
    expect(await store.limits.pause('account', 'acc-1', now + 90_000, null)).toEqual({ scope: 'account', target: 'acc-1', until: now + 90_000, reason: null });
    await store.limits.pause('platform', 'sandbox', now - 1, 'over');
    expect(await store.limits.pauses(now)).toEqual([{ scope: 'account', target: 'acc-1', until: now + 90_000, reason: null }]);
  });

  it('reads the jobs that ran and ended since a time, oldest end first, and the jobs running now', async () => {
    const { id: accountId } = await store.accounts.create({ platform: 'sandbox' });
    const since = Date.now();
    const finished = await jobIn(store, ['dispatched', 'running'], { accountId, type: 'reply' });
    await store.jobs.transition(finished, 'succeeded', { finished_at: Date.now() });
    const running = await jobIn(store, ['dispatched', 'running'], { accountId, type: 'reply' });
    const requeued = await jobIn(store, ['dispatched', 'running', 'queued'], { accountId, type: 'reply' });
    await jobIn(store, [], { accountId }); // never ran
    const cancelled = await jobIn(store, [], { accountId });
    await store.jobs.transition(cancelled, 'cancelled', { finished_at: Date.now() }); // ended without running
    await jobIn(store, ['dispatched'], { accountId: null, pool: 'team' }); // no account yet

    const ended = await store.limits.endedSince(since);
    expect(ended.map((r) => r.jobId).sort()).toEqual([finished, requeued].sort());
    expect(ended.find((r) => r.jobId === requeued)).toEqual({ jobId: requeued, accountId, platform: 'sandbox', type: 'reply', at: expect.any(Number) });
    for (let i = 1; i < ended.length; i++) expect(ended[i]!.at).toBeGreaterThanOrEqual(ended[i - 1]!.at);
    expect(await store.limits.endedSince(Date.now() + 1000)).toEqual([]);
    expect((await store.limits.active()).map((r) => r.jobId)).toEqual([running]);
  });
}
