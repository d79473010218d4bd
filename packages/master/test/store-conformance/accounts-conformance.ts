import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MASKED_SECRET } from '@fleetwright/shared';
import type { FleetBackend } from '@fleetwright/master';
import type { ConformanceTarget, OpenedBackend } from './conformance-setup.js';

const PROFILE = {
  userAgent: 'UA',
  viewport: { width: 800, height: 600 },
  locale: 'en-US',
  timezoneId: 'UTC',
  deviceScaleFactor: 1,
  colorScheme: 'light',
} as const;

export function describeAccountsConformance(target: ConformanceTarget): void {
  describe('accounts', () => {
    let opened: OpenedBackend;
    let store: FleetBackend;
    beforeEach(async () => {
      opened = await target.open();
      store = opened.backend;
    });
    afterEach(() => opened.dispose());

    it('creates an account with its secrets sealed: the view masks them, secretsOf opens them', async () => {
      const view = await store.accounts.create({
        platform: 'sandbox',
        label: 'alice',
        tags: ['eu', 'warm'],
        credentials: { username: 'alice', password: 'hunter2-secret' },
        proxy: 'http://user:proxy-pass@127.0.0.1:8080',
      });
      expect(view).toMatchObject({ platform: 'sandbox', label: 'alice', tags: ['eu', 'warm'], credentials: { username: 'alice', password: MASKED_SECRET } });
      expect(JSON.stringify(view)).not.toContain('hunter2-secret');
      expect(JSON.stringify(view)).not.toContain('proxy-pass');
      const row = await store.accounts.require(view.id);
      expect(JSON.stringify(row)).not.toContain('hunter2-secret');
      expect(JSON.stringify(row)).not.toContain('proxy-pass');
      expect(store.accounts.secretsOf(row)).toEqual({
        credentials: { username: 'alice', password: 'hunter2-secret' },
        proxy: 'http://user:proxy-pass@127.0.0.1:8080',
        storageState: null,
      });
      expect(await store.accounts.get(view.id)).toEqual(view);
      expect(store.accounts.view(row)).toEqual(view);
    });

    it('edits an account: new secrets sealed, a blank password keeps the stored one, tags replaced', async () => {
      const { id } = await store.accounts.create({ platform: 'sandbox', tags: ['a'], credentials: { username: 'u', password: 'first-pass' } });
      const edited = await store.accounts.update(id, {
        label: 'new',
        tags: ['b', 'c'],
        credentials: { username: 'u2', password: '' },
        proxy: 'http://127.0.0.1:9',
      });
      expect(edited).toMatchObject({ label: 'new', tags: ['b', 'c'], credentials: { username: 'u2' } });
      expect(store.accounts.secretsOf(await store.accounts.require(id))).toMatchObject({
        credentials: { username: 'u2', password: 'first-pass' },
        proxy: 'http://127.0.0.1:9',
      });
      expect(await store.accounts.isInPool(id, 'a')).toBe(false);
      expect(await store.accounts.isInPool(id, 'c')).toBe(true);
      await store.accounts.update(id, { proxy: null });
      expect(store.accounts.secretsOf(await store.accounts.require(id)).proxy).toBeNull();
      await expect(store.accounts.update('nope', { label: 'x' })).rejects.toMatchObject({ code: 'ACCOUNT_NOT_FOUND', field: 'id' });
    });

    it('deletes an account, keeping its finished jobs without the link', async () => {
      const { id } = await store.accounts.create({ platform: 'sandbox' });
      const { row: job } = await store.jobs.create({
        type: 'crawl',
        platform: 'sandbox',
        accountId: id,
        pool: null,
        payload: {},
        priority: 0,
        maxAttempts: 1,
        timeoutMs: 1000,
        runAfter: 0,
        parentId: null,
        idempotencyKey: null,
      });
      await store.jobs.transition(job.id, 'cancelled');
      await store.accounts.delete(id);
      expect(await store.accounts.row(id)).toBeUndefined();
      expect((await store.jobs.require(job.id)).account_id).toBeNull();
      await expect(store.accounts.delete(id)).rejects.toMatchObject({ code: 'ACCOUNT_NOT_FOUND' });
      await expect(store.accounts.get(id)).rejects.toMatchObject({ code: 'ACCOUNT_NOT_FOUND', field: 'id' });
      await expect(store.accounts.require(id)).rejects.toMatchObject({ code: 'ACCOUNT_NOT_FOUND', field: 'accountId' });
      await expect(store.accounts.ownership(id, 'x')).rejects.toMatchObject({ code: 'ACCOUNT_NOT_FOUND', field: 'x' });
      expect(await store.accounts.ownershipOf(id)).toBeUndefined();
    });

    it('lists accounts in creation order, a page at a time', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push((await store.accounts.create({ platform: 'sandbox', label: `a${i}` })).id);
      const first = await store.accounts.list(2);
      expect(first.items.map((a) => a.id)).toEqual(ids.slice(0, 2));
      const second = await store.accounts.list(2, first.nextCursor!);
      expect(second.items.map((a) => a.id)).toEqual(ids.slice(2, 4));
      const last = await store.accounts.list(2, second.nextCursor!);
      expect(last.items.map((a) => a.id)).toEqual(ids.slice(4));
      expect(last.nextCursor).toBeNull();
      expect(await store.accounts.count()).toBe(5);
    });

    it('gives owners with a new epoch each time, and answers who owns what', async () => {
      for (const id of ['w1', 'w2'])
        await store.workers.upsert({ id, host: 'h', version: '1', capabilities: [], maxAccounts: 9, maxConcurrency: 1, maxLiveContexts: 1 });
      const a = (await store.accounts.create({ platform: 'sandbox', tags: ['p'] })).id;
      const b = (await store.accounts.create({ platform: 'other' })).id;
      const c = (await store.accounts.create({ platform: 'sandbox' })).id;
      expect(await store.accounts.unowned()).toEqual([
        { id: a, platform: 'sandbox' },
        { id: b, platform: 'other' },
        { id: c, platform: 'sandbox' },
      ]);
      expect(await store.accounts.assignOwner(a, 'w1')).toEqual({ id: a, platform: 'sandbox', owner_worker_id: 'w1', epoch: 1 });
      expect(await store.accounts.assignOwner(c, 'w1')).toMatchObject({ owner_worker_id: 'w1', epoch: 1 });
      expect(await store.accounts.assignOwner(a, null)).toMatchObject({ owner_worker_id: null, epoch: 2 });
      expect(await store.accounts.assignOwner(a, 'w2')).toMatchObject({ owner_worker_id: 'w2', epoch: 3 });
      await expect(store.accounts.assignOwner('nope', 'w1')).rejects.toMatchObject({ code: 'ACCOUNT_NOT_FOUND' });
      expect(await store.accounts.unowned()).toEqual([{ id: b, platform: 'other' }]);
      expect(await store.accounts.ownedBy('w1')).toEqual([{ id: c, platform: 'sandbox', owner_worker_id: 'w1', epoch: 1 }]);
      expect(await store.accounts.idsOwnedBy('w2')).toEqual([a]);
      expect((await store.accounts.ownerships()).map((o) => o.id).sort()).toEqual([a, c].sort());
      expect(await store.accounts.ownedWithTags()).toContainEqual({ id: a, platform: 'sandbox', owner_worker_id: 'w2', epoch: 3, tags: ['p'] });
      expect(await store.accounts.countOwned()).toBe(2);
      expect(await store.accounts.countOwnedBy('w1')).toBe(1);
      expect(await store.accounts.ownership(a)).toEqual({ id: a, platform: 'sandbox', owner_worker_id: 'w2', epoch: 3 });
    });

    it('reads the platforms of many accounts at once, leaving out those that do not exist', async () => {
      const a = await store.accounts.create({ platform: 'sandbox' });
      const b = await store.accounts.create({ platform: 'other' });
      await store.accounts.create({ platform: 'third' });
      expect(await store.accounts.platformsOf([a.id, 'gone', b.id])).toEqual(
        new Map([
          [a.id, 'sandbox'],
          [b.id, 'other'],
        ]),
      );
      expect(await store.accounts.platformsOf([])).toEqual(new Map());
    });

    it('answers pools from tags', async () => {
      const a = await store.accounts.create({ platform: 'sandbox', tags: ['eu', 'warm'] });
      const b = await store.accounts.create({ platform: 'other', tags: ['eu'] });
      await store.accounts.create({ platform: 'sandbox' });
      expect(await store.accounts.poolTags()).toEqual(['eu', 'warm']);
      expect((await store.accounts.platformsOfPool('eu')).sort()).toEqual(['other', 'sandbox']);
      expect(await store.accounts.platformsOfPool('none')).toEqual([]);
      const members = (await store.accounts.poolMemberships()).map((m) => `${m.pool}:${m.id}`).sort();
      expect(members).toEqual([`eu:${a.id}`, `eu:${b.id}`, `warm:${a.id}`].sort());
      const ofA = await store.accounts.poolMembershipsOf(a.id);
      expect(ofA.map((m) => m.pool).sort()).toEqual(['eu', 'warm']);
      expect(ofA[0]!.seq).toBeLessThan((await store.accounts.poolMembershipsOf(b.id))[0]!.seq);
      expect(await store.accounts.poolMembershipsOf('nope')).toEqual([]);
      expect(await store.accounts.isInPool(b.id, 'warm')).toBe(false);
    });

    it('keeps only the newest storage state snapshot, sealed', async () => {
      const { id } = await store.accounts.create({ platform: 'sandbox' });
      const state = (n: number) => ({ cookies: [{ name: 'sid', value: `secret-cookie-${n}` }], origins: [] });
      expect(await store.accounts.saveStorageState(id, 2, state(2))).toBe(true);
      expect(await store.accounts.saveStorageState(id, 1, state(1))).toBe(false);
      expect(await store.accounts.saveStorageState(id, 2, state(3))).toBe(false);
      const row = await store.accounts.require(id);
      expect(row.storage_state_version).toBe(2);
      expect(JSON.stringify(row)).not.toContain('secret-cookie');
      expect(store.accounts.secretsOf(row).storageState).toEqual(state(2));
    });

    it('sets the device profile and step statuses', async () => {
      const { id } = await store.accounts.create({ platform: 'sandbox' });
      const row = await store.accounts.setDeviceProfile(id, PROFILE);
      expect(JSON.parse(row.device_profile!)).toEqual(PROFILE);
      await store.accounts.setStepStatus(id, 'login', 'succeeded');
      const view = await store.accounts.get(id);
      expect(view.steps.login?.status).toBe('succeeded');
      expect(view.steps.login?.updatedAt).not.toBeNull();
      expect(view.steps.invite?.status).not.toBe('succeeded');
    });

    it('tells listeners of each create, owner change, re-tag and delete', async () => {
      const seen: string[] = [];
      store.accounts.onChange((id) => seen.push(id));
      for (const id of ['w1', 'w2'])
        await store.workers.upsert({ id, host: 'h', version: '1', capabilities: [], maxAccounts: 9, maxConcurrency: 1, maxLiveContexts: 1 });
      const { id } = await store.accounts.create({ platform: 'sandbox' });
      await store.accounts.assignOwner(id, 'w1');
      await store.accounts.update(id, { tags: ['x'] });
      await store.accounts.update(id, { label: 'no pool change' });
      await store.accounts.delete(id);
      expect(seen).toEqual([id, id, id, id]);
    });
  });
}
