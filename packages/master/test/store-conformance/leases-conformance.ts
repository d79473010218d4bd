import { afterEach, beforeEach, expect, it } from 'vitest';
import type { FleetBackend } from '@fleetwright/master';
import { newJob, type ConformanceTarget, type OpenedBackend } from './conformance-setup.js';

const LEASE = 'scheduler';
/** Short enough to wait out in a test, long enough that a slow call does not let it lapse first. */
const TTL_MS = 400;
const lapse = () => new Promise((resolve) => setTimeout(resolve, TTL_MS + 150));

/** LeasesBackend: one holder at a time, epochs that rise with each change of hands, and the fence. */
export function describeLeasesConformance(target: ConformanceTarget): void {
  let opened: OpenedBackend;
  let store: FleetBackend;
  beforeEach(async () => {
    opened = await target.open();
    store = opened.backend;
  });
  afterEach(() => opened.dispose());

  it('gives a free lease to its first taker under epoch 1, and a renewal keeps the epoch and moves the expiry on', async () => {
    expect(await store.leases.current(LEASE)).toBeUndefined();
    const first = await store.leases.acquire(LEASE, 'm1', TTL_MS);
    expect(first).toMatchObject({ name: LEASE, holder: 'm1', epoch: 1 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const renewed = await store.leases.acquire(LEASE, 'm1', TTL_MS, first!.epoch);
    expect(renewed).toMatchObject({ holder: 'm1', epoch: 1 });
    expect(renewed!.expiresAt).toBeGreaterThan(first!.expiresAt);
    expect(await store.leases.current(LEASE)).toEqual(renewed);
  });

  it('refuses another holder until the lease lapses; then the lease changes hands under a higher epoch and the old holder is refused', async () => {
    await store.leases.acquire(LEASE, 'm1', TTL_MS);
    expect(await store.leases.acquire(LEASE, 'm2', TTL_MS)).toBeUndefined();
    expect((await store.leases.current(LEASE))?.holder).toBe('m1');
    await lapse();
    expect(await store.leases.acquire(LEASE, 'm2', TTL_MS)).toMatchObject({ holder: 'm2', epoch: 2 });
    expect(await store.leases.acquire(LEASE, 'm1', TTL_MS)).toBeUndefined();
  });

  it('renews a lease only under the epoch its holder holds: another process with the same name is refused until the lease lapses', async () => {
    const held = await store.leases.acquire(LEASE, 'm1', TTL_MS);
    // A second master given the same FLEET_MASTER_ID, or this one restarted: it does not hold epoch 1.
    expect(await store.leases.acquire(LEASE, 'm1', TTL_MS)).toBeUndefined();
    expect(await store.leases.acquire(LEASE, 'm1', TTL_MS, held!.epoch + 1)).toBeUndefined();
    expect(await store.leases.acquire(LEASE, 'm1', TTL_MS, held!.epoch)).toMatchObject({ holder: 'm1', epoch: held!.epoch });
    await lapse();
    const taken = await store.leases.acquire(LEASE, 'm1', TTL_MS);
    expect(taken).toMatchObject({ holder: 'm1', epoch: held!.epoch + 1 });
    await expect(store.transaction(() => store.leases.assertHeld(LEASE, 'm1', held!.epoch))).rejects.toMatchObject({ code: 'NOT_LEADER' });
  });

  it('raises the epoch when a holder takes its own lease again after it lapsed', async () => {
    await store.leases.acquire(LEASE, 'm1', TTL_MS);
    await lapse();
    expect(await store.leases.acquire(LEASE, 'm1', TTL_MS)).toMatchObject({ holder: 'm1', epoch: 2 });
  });

  it('lets another take a released lease at once; a release by a non-holder or under another epoch changes nothing', async () => {
    const held = await store.leases.acquire(LEASE, 'm1', 60_000);
    expect(await store.leases.release(LEASE, 'm2', held!.epoch)).toBe(false);
    expect(await store.leases.release(LEASE, 'm1', held!.epoch + 1)).toBe(false);
    expect(await store.leases.current(LEASE)).toMatchObject({ holder: 'm1', epoch: 1 });
    expect(await store.leases.release(LEASE, 'm1', held!.epoch)).toBe(true);
    expect(await store.leases.acquire(LEASE, 'm2', TTL_MS)).toMatchObject({ holder: 'm2' });
  });

  it('records where each master answers, the latest announcement winning', async () => {
    expect(await store.leases.urlOf('m1')).toBeUndefined();
    await store.leases.announce('m1', 'http://10.0.0.1:3000');
    await store.leases.announce('m2', 'http://10.0.0.2:3000');
    await store.leases.announce('m1', 'http://10.0.0.9:3000');
    expect(await store.leases.urlOf('m1')).toBe('http://10.0.0.9:3000');
    expect(await store.leases.urlOf('m2')).toBe('http://10.0.0.2:3000');
  });

  it("fences a transaction: the holder's lands; a deposed or lapsed holder's is refused with NOT_LEADER and writes nothing", async () => {
    const old = await store.leases.acquire(LEASE, 'm1', TTL_MS);
    await store.transaction(async () => {
      await store.leases.assertHeld(LEASE, 'm1', old!.epoch);
      await store.jobs.create(newJob({ idempotencyKey: 'led' }));
    });
    expect((await store.jobs.countByStatus()).queued).toBe(1);

    await lapse();
    // Lapsed, and nobody has taken it yet: still no write.
    await expect(
      store.transaction(async () => {
        await store.leases.assertHeld(LEASE, 'm1', old!.epoch);
        await store.jobs.create(newJob({ idempotencyKey: 'lapsed' }));
      }),
    ).rejects.toMatchObject({ code: 'NOT_LEADER' });
    const taken = await store.leases.acquire(LEASE, 'm2', 60_000);
    await expect(
      store.transaction(async () => {
        await store.leases.assertHeld(LEASE, 'm1', old!.epoch);
        await store.jobs.create(newJob({ idempotencyKey: 'deposed' }));
      }),
    ).rejects.toMatchObject({ code: 'NOT_LEADER' });
    expect((await store.jobs.countByStatus()).queued).toBe(1);
    await store.transaction(() => store.leases.assertHeld(LEASE, 'm2', taken!.epoch));
  });

  it("keeps the epoch rising across a release, and a lapsed holder's fence stays shut once it takes the lease again", async () => {
    const first = await store.leases.acquire(LEASE, 'm1', TTL_MS);
    expect(await store.leases.release(LEASE, 'm1', first!.epoch)).toBe(true);
    expect(await store.leases.current(LEASE)).toBeUndefined();
    await expect(store.transaction(() => store.leases.assertHeld(LEASE, 'm1', first!.epoch))).rejects.toMatchObject({ code: 'NOT_LEADER' });
    const second = await store.leases.acquire(LEASE, 'm1', TTL_MS);
    expect(second).toMatchObject({ holder: 'm1', epoch: first!.epoch + 1 });
    await expect(store.transaction(() => store.leases.assertHeld(LEASE, 'm1', first!.epoch))).rejects.toMatchObject({ code: 'NOT_LEADER' });

    await lapse();
    const third = await store.leases.acquire(LEASE, 'm1', TTL_MS);
    expect(third).toMatchObject({ holder: 'm1', epoch: second!.epoch + 1 });
    await expect(store.transaction(() => store.leases.assertHeld(LEASE, 'm1', second!.epoch))).rejects.toMatchObject({ code: 'NOT_LEADER' });
    await store.transaction(() => store.leases.assertHeld(LEASE, 'm1', third!.epoch));
  });

  it("marks a lease free when taken with the time of the take; its holder's marks under its epoch land, no one else's", async () => {
    const before = Date.now();
    const held = await store.leases.acquire(LEASE, 'm1', TTL_MS);
    const after = Date.now();
    // The store's clock: the same machine's here.
    expect(held!.announcedThrough).toBeGreaterThanOrEqual(before - 50);
    expect(held!.announcedThrough).toBeLessThanOrEqual(after + 50);
    expect(await store.leases.markAnnounced(LEASE, 'm1', held!.epoch, 1_000_000)).toBe(true);
    expect(await store.leases.markAnnounced(LEASE, 'm2', held!.epoch, 2_000_000)).toBe(false);
    expect(await store.leases.markAnnounced(LEASE, 'm1', held!.epoch + 1, 3_000_000)).toBe(false);
    expect(await store.leases.current(LEASE)).toMatchObject({ holder: 'm1', announcedThrough: 1_000_000 });
    // A renewal keeps the mark.
    expect(await store.leases.acquire(LEASE, 'm1', TTL_MS, held!.epoch)).toMatchObject({ epoch: held!.epoch, announcedThrough: 1_000_000 });
  });

  it("hands the previous holder's mark to the next at a take, and shuts the deposed holder's marks out; a released lease starts afresh", async () => {
    const first = await store.leases.acquire(LEASE, 'm1', TTL_MS);
    await store.leases.markAnnounced(LEASE, 'm1', first!.epoch, 1_000_000);
    await lapse();
    // Lapsed, not yet taken: the holder may still mark (its decisions' events went out before it noticed).
    expect(await store.leases.markAnnounced(LEASE, 'm1', first!.epoch, 1_500_000)).toBe(true);
    const taken = await store.leases.acquire(LEASE, 'm2', TTL_MS);
    expect(taken).toMatchObject({ holder: 'm2', epoch: first!.epoch + 1, announcedThrough: 1_500_000 });
    expect(await store.leases.markAnnounced(LEASE, 'm1', first!.epoch, 9_000_000)).toBe(false);
    expect((await store.leases.current(LEASE))?.announcedThrough).toBe(1_500_000);
    expect(await store.leases.markAnnounced(LEASE, 'm2', taken!.epoch, 2_000_000)).toBe(true);

    expect(await store.leases.release(LEASE, 'm2', taken!.epoch)).toBe(true);
    const before = Date.now();
    const fresh = await store.leases.acquire(LEASE, 'm3', TTL_MS);
    expect(fresh!.announcedThrough).toBeGreaterThanOrEqual(before - 50);
  });
}
