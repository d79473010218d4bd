import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '@fleetwright/shared';
import { Leadership } from '../dist/scheduler/leadership.js';
import type { LeaseRecord, LeasesBackend } from '../dist/store/backend/leases-backend.js';

const quiet = createLogger({ name: 'test', console: false });
const TTL_MS = 300;

/**
 * A lease store whose answers the test holds back: `acquire` waits until `answer()` (a silent link
 * to the database), or answers at once while `auto` is on. The leases' own rules are tested on the
 * real engines (store conformance); this is Leadership's timing against them.
 */
class HeldLeases implements Pick<LeasesBackend, 'acquire' | 'current' | 'release'> {
  auto = true;
  bids = 0;
  private readonly waiting: ((lease: LeaseRecord | undefined) => void)[] = [];

  acquire(name: string, holder: string, ttlMs: number): Promise<LeaseRecord | undefined> {
    this.bids += 1;
    const lease = { name, holder, epoch: 1, expiresAt: Date.now() + ttlMs } as unknown as LeaseRecord;
    if (this.auto) return Promise.resolve(lease);
    return new Promise((resolve) => this.waiting.push(() => resolve(lease)));
  }

  /** Lets the oldest held bid through, now. */
  answerOldest(): void {
    this.waiting.shift()?.(undefined);
  }

  get held(): number {
    return this.waiting.length;
  }

  current(): Promise<LeaseRecord | undefined> {
    return Promise.resolve(undefined);
  }

  release(): Promise<boolean> {
    return Promise.resolve(true);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('Leadership when its renewals go unanswered', () => {
  let leadership: Leadership | undefined;
  afterEach(async () => {
    await leadership?.stop();
  });

  it('steps down once its lease may have lapsed, without waiting for the hung renewal; bids one at a time; leads again when answered in time', async () => {
    const leases = new HeldLeases();
    leadership = new Leadership(leases as unknown as LeasesBackend, { masterId: 'm1', ttlMs: TTL_MS }, quiet);
    const changes: boolean[] = [];
    leadership.onChange((leading) => changes.push(leading));
    await leadership.start();
    expect(leadership.leading).toBe(true);

    // From now on the store hears the bids and never answers.
    leases.auto = false;
    await sleep(TTL_MS * 2);
    expect(leadership.leading).toBe(false);
    expect(changes).toEqual([true, false]);
    // The renewals did not pile up while the first hung: one per lease's life at most.
    expect(leases.held).toBeLessThan(4);

    // A grant that comes back after the lease it grants may have lapsed does not make it lead.
    leases.answerOldest();
    await sleep(10);
    expect(leadership.leading).toBe(false);

    // The store answers again: a later bid takes the lead back (once a hung one gave way).
    leases.auto = true;
    await sleep(TTL_MS * 3);
    expect(leadership.leading).toBe(true);
    expect(changes).toEqual([true, false, true]);
  });
});
