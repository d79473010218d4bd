import { Readable } from 'node:stream';
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FleetBackend } from '@fleetwright/master';
import { ADMIN_TOKEN, FLEET_TOKEN, jobIn, type ConformanceTarget, type OpenedBackend } from './conformance-setup.js';

const STATS = { rssBytes: 1, browserRssBytes: 2, cpuPercent: 3, liveContexts: 4, runningJobs: 5 };

function registration(id: string, platforms: string[] = ['sandbox'], draining = false) {
  return {
    id,
    host: 'h',
    version: '1',
    capabilities: platforms.map((platform) => ({ platform, jobTypes: ['login', 'crawl'] })),
    maxAccounts: 10,
    maxConcurrency: 2,
    maxLiveContexts: 5,
    draining,
  };
}

export function describeFleetConformance(target: ConformanceTarget): void {
  let opened: OpenedBackend;
  let store: FleetBackend;
  beforeEach(async () => {
    opened = await target.open();
    store = opened.backend;
  });
  afterEach(() => opened.dispose());

  describe('workers', () => {
    it('registers and re-registers workers with their capabilities, status and heartbeats', async () => {
      const w1 = await store.workers.upsert(registration('w1'));
      expect(w1).toMatchObject({ id: 'w1', status: 'online', max_concurrency: 2, max_accounts: 10, disconnected_at: null });
      await store.workers.upsert(registration('w2', ['other'], true));
      expect((await store.workers.require('w2')).status).toBe('draining');
      expect(await store.workers.capabilitiesFor('sandbox')).toEqual([{ platform: 'sandbox', jobTypes: ['login', 'crawl'] }]);
      expect((await store.workers.knownPlatforms()).sort()).toEqual(['other', 'sandbox']);
      expect(store.workers.capabilitiesOf(w1)).toEqual([{ platform: 'sandbox', jobTypes: ['login', 'crawl'] }]);
      const returned = await store.workers.heartbeat('w1', STATS);
      const beat = await store.workers.require('w1');
      expect(returned).toEqual(beat);
      expect(beat.last_heartbeat_at).not.toBeNull();
      expect(await store.workers.heartbeat('nobody', STATS)).toBeUndefined();
      // Each worker's owned accounts come with its beat, at their epochs, in creation order.
      const [first, second] = [(await store.accounts.create({ platform: 'sandbox' })).id, (await store.accounts.create({ platform: 'sandbox' })).id];
      await store.accounts.assignOwner(second, 'w1');
      await store.accounts.assignOwner(first, 'w2');
      await store.accounts.assignOwner(first, 'w1');
      const many = await store.workers.heartbeatMany([
        { id: 'w2', stats: { ...STATS, liveContexts: 7 }, at: 5_000 },
        { id: 'nobody', stats: STATS, at: 5_000 },
        { id: 'w1', stats: STATS, at: 6_000 },
      ]);
      expect(many.map(({ row }) => [row.id, row.last_heartbeat_at]).sort()).toEqual([
        ['w1', 6_000],
        ['w2', 5_000],
      ]);
      expect(Object.fromEntries(many.map(({ row, owned }) => [row.id, owned]))).toEqual({
        w1: [
          { id: first, epoch: 2 },
          { id: second, epoch: 1 },
        ],
        w2: [],
      });
      for (const { row } of many) expect(row).toEqual(await store.workers.require(row.id));
      expect(JSON.parse((await store.workers.require('w2')).stats!)).toEqual({ ...STATS, liveContexts: 7 });
      expect(await store.workers.heartbeatMany([])).toEqual([]);
      expect(JSON.parse(beat.stats!)).toEqual(STATS);
      expect(store.workers.view(beat, 3)).toMatchObject({ id: 'w1', status: 'online', accounts: 3 });
      expect(await store.workers.capacity('w1')).toEqual({ id: 'w1', status: 'online', max_concurrency: 2 });
      await store.workers.setStatus('w1', 'offline');
      expect((await store.workers.require('w1')).disconnected_at).not.toBeNull();
      expect(await store.workers.countByStatus()).toEqual({ online: 0, draining: 1, offline: 1 });
      await store.workers.upsert(registration('w1'));
      expect(await store.workers.require('w1')).toMatchObject({ status: 'online', disconnected_at: null });
      await store.workers.markAllOffline();
      expect(await store.workers.countByStatus()).toEqual({ online: 0, draining: 0, offline: 2 });
      expect((await store.workers.all()).map((w) => w.id)).toEqual(['w1', 'w2']);
      expect(await store.workers.row('nope')).toBeUndefined();
      expect(await store.workers.capacity('nope')).toBeUndefined();
      await expect(store.workers.require('nope')).rejects.toMatchObject({ code: 'WORKER_NOT_FOUND' });
    });
  });

  describe('tokens', () => {
    it('keeps tokens hashed, verifies them and the admin token, and revokes them', async () => {
      const revoked: string[] = [];
      store.tokens.onRevoked((id) => revoked.push(id));
      expect(await store.tokens.verify(ADMIN_TOKEN)).toEqual({ tokenId: 'env:FLEET_API_TOKEN', role: 'admin' });
      const { id, token } = await store.tokens.create('ci', 'viewer');
      expect(await store.tokens.verify(token)).toEqual({ tokenId: id, role: 'viewer' });
      expect(await store.tokens.verify(`${token}x`)).toBeUndefined();
      expect(await store.tokens.verify(undefined)).toBeUndefined();
      const listed = await store.tokens.list();
      expect(listed).toEqual([expect.objectContaining({ id, name: 'ci', role: 'viewer', revokedAt: null })]);
      expect(JSON.stringify(listed)).not.toContain(token);
      await store.tokens.revoke(id);
      expect(await store.tokens.verify(token)).toBeUndefined();
      expect((await store.tokens.list())[0]!.revokedAt).not.toBeNull();
      expect(revoked).toEqual([id]);
      await expect(store.tokens.revoke('nope')).rejects.toMatchObject({ code: 'NOT_FOUND', field: 'id' });
    });
  });

  describe('worker credentials', () => {
    it('enrolls with the fleet token, confirms the credential, then refuses the fleet token for that id', async () => {
      expect(store.workerCredentials.isFleetToken(FLEET_TOKEN)).toBe(true);
      expect(store.workerCredentials.isFleetToken('other')).toBe(false);
      expect(await store.workerCredentials.authenticate('w1', FLEET_TOKEN)).toBe('fleet-token');
      await expect(store.workerCredentials.enroll('w1', 'wrong')).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
      const credential = await store.workerCredentials.enroll('w1', FLEET_TOKEN);
      expect(await store.workerCredentials.authenticate('w1', credential)).toBe('credential');
      expect(await store.workerCredentials.authenticate('w2', credential)).toBeUndefined();
      // Enrolled but not confirmed: the fleet token still speaks for the id, and it may enroll again.
      expect(await store.workerCredentials.authenticate('w1', FLEET_TOKEN)).toBe('fleet-token');
      const second = await store.workerCredentials.enroll('w1', FLEET_TOKEN);
      expect(await store.workerCredentials.authenticate('w1', credential)).toBeUndefined();
      await store.workerCredentials.confirm('w1');
      expect(await store.workerCredentials.authenticate('w1', FLEET_TOKEN)).toBeUndefined();
      expect(await store.workerCredentials.authenticate('w1', second)).toBe('credential');
      await expect(store.workerCredentials.enroll('w1', FLEET_TOKEN)).rejects.toMatchObject({ code: 'CONFLICT', field: 'workerId' });
      expect(await store.workerCredentials.revoke('w1')).toBe(true);
      expect(await store.workerCredentials.revoke('w1')).toBe(false);
      expect(await store.workerCredentials.authenticate('w1', FLEET_TOKEN)).toBe('fleet-token');
    });
  });

  describe('messages', () => {
    it('keeps each detected message once per account and lists them newest first', async () => {
      const { id } = await store.accounts.create({ platform: 'sandbox' });
      const m = (n: number, kind: 'dm' | 'comment' = 'dm') => ({ kind, platformMessageId: `m${n}`, author: 'bob', text: `hi ${n}`, threadId: 't' });
      const first = await store.messages.addNew(id, 'sandbox', [m(1), m(2, 'comment')]);
      expect(first.map((x) => x.platformMessageId)).toEqual(['m1', 'm2']);
      const again = await store.messages.addNew(id, 'sandbox', [m(2, 'comment'), m(3)]);
      expect(again).toEqual([expect.objectContaining({ accountId: id, platformMessageId: 'm3', kind: 'dm', text: 'hi 3', threadId: 't' })]);
      const page = await store.messages.list({ accountId: id }, 2);
      expect(page.items.map((x) => x.platformMessageId)).toEqual(['m3', 'm2']);
      const rest = await store.messages.list({ accountId: id }, 2, page.nextCursor!);
      expect(rest).toEqual({ items: [expect.objectContaining({ platformMessageId: 'm1' })], nextCursor: null });
      expect((await store.messages.list({ kind: 'comment' }, 10)).items.map((x) => x.platformMessageId)).toEqual(['m2']);
    });
  });

  describe('monitors', () => {
    it('creates monitors due at once, never due while their last job runs, paused or later', async () => {
      const { id: accountId } = await store.accounts.create({ platform: 'sandbox' });
      const monitor = await store.monitors.create({ accountId, type: 'crawl', payload: { q: 1 }, minIntervalMs: 1000, maxIntervalMs: 2000 });
      expect(monitor).toMatchObject({ account_id: accountId, type: 'crawl', paused: 0, runs: 0, last_job_id: null });
      const now = Date.now() + 1;
      expect((await store.monitors.due(now)).map((m) => m.id)).toEqual([monitor.id]);
      const jobId = await jobIn(store, ['dispatched'], { accountId });
      await store.monitors.started(monitor.id, jobId);
      await store.monitors.scheduleNext(monitor.id, now - 1);
      expect(await store.monitors.due(now)).toEqual([]);
      await store.jobs.transition(jobId, 'failed');
      expect((await store.monitors.due(now)).map((m) => m.id)).toEqual([monitor.id]);
      await store.monitors.scheduleNext(monitor.id, now + 10_000);
      expect(await store.monitors.due(now)).toEqual([]);
      await store.monitors.scheduleNext(monitor.id, now - 1);
      expect((await store.monitors.setPaused(monitor.id, true)).paused).toBe(1);
      expect(await store.monitors.due(now)).toEqual([]);
      await store.monitors.setPaused(monitor.id, false);
      const row = await store.monitors.require(monitor.id);
      expect(row).toMatchObject({ runs: 1, last_job_id: jobId, paused: 0 });
      expect(store.monitors.view(row)).toMatchObject({ id: monitor.id, accountId, type: 'crawl', payload: { q: 1 }, paused: false });
      expect((await store.monitors.list(accountId, 10)).items.map((m) => m.id)).toEqual([monitor.id]);
      expect((await store.monitors.list('other', 10)).items).toEqual([]);
      await store.monitors.delete(monitor.id);
      expect(await store.monitors.row(monitor.id)).toBeUndefined();
      await expect(store.monitors.require(monitor.id)).rejects.toMatchObject({ code: 'NOT_FOUND', field: 'id' });
      const other = await store.monitors.create({ accountId, type: 'crawl', payload: {}, minIntervalMs: 1, maxIntervalMs: 1 });
      await store.monitors.deleteOfAccount(accountId);
      expect(await store.monitors.row(other.id)).toBeUndefined();
    });
  });

  describe('artifacts', () => {
    it('stores a job artifact whole, replaces it by name, and refuses bad names and oversized bodies', async () => {
      const jobId = await jobIn(store, []);
      const row = await store.artifacts.saveStream(jobId, 'run.log', Readable.from([Buffer.from('line 1\n')]), 1000);
      expect(row).toMatchObject({ job_id: jobId, name: 'run.log', size: 7 });
      expect(row.content_type).toMatch(/^text\/plain/);
      expect(readFileSync(row.path, 'utf8')).toBe('line 1\n');
      const replaced = await store.artifacts.saveStream(jobId, 'run.log', Readable.from([Buffer.from('line 2\n')]), 1000);
      expect(readFileSync(replaced.path, 'utf8')).toBe('line 2\n');
      expect(await store.artifacts.require(jobId, 'run.log')).toEqual(replaced);
      await expect(store.artifacts.saveStream(jobId, 'big.txt', Readable.from([Buffer.alloc(2000)]), 1000)).rejects.toMatchObject({
        code: 'TOO_LARGE',
        field: 'body',
      });
      await expect(store.artifacts.require(jobId, 'big.txt')).rejects.toMatchObject({ code: 'NOT_FOUND', field: 'name' });
      expect(() => store.artifacts.checkName('../x.txt')).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED', field: 'name' }));
      expect(() => store.artifacts.checkName('x.exe')).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED', field: 'name' }));
      const view = await store.jobs.view(await store.jobs.require(jobId));
      expect(view.artifacts).toEqual([]);
    });

    it("lists a job's artifacts, sorted by name, in the view of its finish, whether it finishes inside a transaction or not", async () => {
      const finish = async (jobId: string) => store.jobs.view(await store.jobs.transition(jobId, 'succeeded', { finished_at: Date.now(), result: '{}' }));
      const names = (view: { artifacts: { name: string; size: number }[] }) => view.artifacts.map(({ name, size }) => [name, size]);
      const inside = await jobIn(store, ['dispatched', 'running']);
      const outside = await jobIn(store, ['dispatched', 'running']);
      for (const jobId of [inside, outside]) {
        await store.artifacts.saveStream(jobId, 'b.log', Readable.from([Buffer.from('bb')]), 100);
        await store.artifacts.saveStream(jobId, 'a.png', Readable.from([Buffer.from('a')]), 100);
      }
      const seen = await store.transaction(async () => {
        const view = await finish(inside);
        // One stored after the finish, in the same transaction, shows in the next view.
        await store.artifacts.saveStream(inside, 'c.txt', Readable.from([Buffer.from('ccc')]), 100);
        return { atFinish: names(view), after: names(await store.jobs.view(await store.jobs.require(inside))) };
      });
      expect(seen.atFinish).toEqual([
        ['a.png', 1],
        ['b.log', 2],
      ]);
      expect(seen.after).toEqual([
        ['a.png', 1],
        ['b.log', 2],
        ['c.txt', 3],
      ]);
      expect(names(await finish(outside))).toEqual([
        ['a.png', 1],
        ['b.log', 2],
      ]);
      expect((await store.jobs.view(await store.jobs.require(inside))).artifacts.map((a) => a.url)).toEqual([
        expect.stringContaining('a.png'),
        expect.stringContaining('b.log'),
        expect.stringContaining('c.txt'),
      ]);
    });
  });

  describe('refused reports and retention', () => {
    it('counts refused reports in totals that outlive their purge', async () => {
      await store.recordRefusedReport('w1', 'job:result', 'STALE_EPOCH', { jobId: 'j' });
      await store.recordRefusedReport('w1', 'job:result', 'STALE_EPOCH', { jobId: 'k' });
      await store.recordRefusedReport('w2', 'job:progress', 'NOT_OWNER', {});
      expect(await store.purgeRefusedReportsBefore(Date.now() + 1)).toBe(3);
      expect(await store.purgeRefusedReportsBefore(Date.now() + 1)).toBe(0);
      const totals = (await store.refusedReportTotals()).map((t) => `${t.event}/${t.code}=${t.n}`).sort();
      expect(totals).toEqual(['job:progress/NOT_OWNER=1', 'job:result/STALE_EPOCH=2']);
    });

    it('purges finished jobs before the cutoff with their artifacts, a parent only with its children', async () => {
      const past = Date.now() - 10_000;
      const old = await jobIn(store, []);
      await store.jobs.transition(old, 'cancelled', { finished_at: past });
      const art = await store.artifacts.saveStream(old, 'run.log', Readable.from([Buffer.from('x')]), 10);
      const recent = await jobIn(store, []);
      await store.jobs.transition(recent, 'cancelled', { finished_at: Date.now() + 60_000 });
      const unfinished = await jobIn(store, []);
      const { row: parent } = await store.jobs.create({ ...newParent(), status: 'running' });
      const child = await jobIn(store, [], { parentId: parent.id });
      await store.jobs.transition(child, 'cancelled', { finished_at: past });
      const { purged, files } = await store.purgeFinishedJobsBefore(Date.now());
      expect(purged).toBe(1);
      expect(files).toEqual([art.path]);
      expect(await store.jobs.row(old)).toBeUndefined();
      await expect(store.artifacts.require(old, 'run.log')).rejects.toMatchObject({ code: 'NOT_FOUND' });
      // The child stays while its parent is unfinished.
      for (const id of [child, recent, unfinished]) expect(await store.jobs.row(id)).toBeDefined();
      await store.jobs.transition(parent.id, 'succeeded', { finished_at: past });
      expect((await store.purgeFinishedJobsBefore(Date.now())).purged).toBe(2);
      expect(await store.jobs.row(parent.id)).toBeUndefined();
      expect(await store.jobs.row(child)).toBeUndefined();
    });
  });

  describe('transactions', () => {
    it('lands every write of a transaction, or none when it throws', async () => {
      const kept = await store.transaction(async () => {
        const a = await store.accounts.create({ platform: 'sandbox' });
        await store.jobs.create(newJobFor(a.id));
        return a.id;
      });
      expect(await store.accounts.row(kept)).toBeDefined();
      let inside = '';
      await expect(
        store.transaction(async () => {
          inside = (await store.accounts.create({ platform: 'sandbox' })).id;
          await store.jobs.create(newJobFor(inside));
          throw new Error('changed my mind');
        }),
      ).rejects.toThrow('changed my mind');
      expect(inside).not.toBe('');
      expect(await store.accounts.row(inside)).toBeUndefined();
      expect(await store.accounts.count()).toBe(1);
      expect((await store.jobs.countByStatus()).queued).toBe(1);
    });

    it('never lets a caller from elsewhere see half of a transaction', async () => {
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      let firstWritten!: () => void;
      const written = new Promise<void>((resolve) => (firstWritten = resolve));
      const tx = store.transaction(async () => {
        await store.accounts.create({ platform: 'sandbox', label: 'one' });
        firstWritten();
        await gate;
        await store.accounts.create({ platform: 'sandbox', label: 'two' });
      });
      await written;
      const counted = store.accounts.count();
      let answered: number | undefined;
      void counted.then((n) => (answered = n));
      await new Promise((resolve) => setTimeout(resolve, 20));
      const answeredBeforeTheEnd = answered;
      release();
      await tx;
      // An adapter may make the caller wait for the end (SQLite's one connection) or answer from the
      // store as it was before (PostgreSQL's snapshot): all of the transaction or none of it.
      if (answeredBeforeTheEnd !== undefined) expect(answeredBeforeTheEnd).toBe(0);
      expect([0, 2]).toContain(await counted);
      expect(await store.accounts.count()).toBe(2);
    });

    it('keeps a transaction begun later from a callback made inside an earlier one apart from the one open then', async () => {
      let late!: Promise<unknown>;
      await store.transaction(async () => {
        // Registered inside, run after this transaction has ended: it belongs to no transaction.
        late = new Promise((resolve) => setTimeout(resolve, 20)).then(() =>
          store.transaction(() => store.accounts.create({ platform: 'sandbox', label: 'late' })),
        );
      });
      await expect(
        store.transaction(async () => {
          await store.accounts.create({ platform: 'sandbox', label: 'doomed' });
          await new Promise((resolve) => setTimeout(resolve, 60));
          throw new Error('rolled back');
        }),
      ).rejects.toThrow('rolled back');
      await late;
      expect((await store.accounts.list(10)).items.map((a) => a.label)).toEqual(['late']);
    });

    it('makes a transaction inside another a part of it: its own failure undoes only itself', async () => {
      await store.transaction(async () => {
        await store.accounts.create({ platform: 'sandbox', label: 'outer' });
        await expect(
          store.transaction(async () => {
            await store.accounts.create({ platform: 'sandbox', label: 'inner' });
            throw new Error('inner fails');
          }),
        ).rejects.toThrow('inner fails');
        await store.accounts.create({ platform: 'sandbox', label: 'outer again' });
      });
      const labels = (await store.accounts.list(10)).items.map((a) => a.label);
      expect(labels).toEqual(['outer', 'outer again']);
    });

    it('undoes a failed inner transaction with the transactions that succeeded inside it, whether or not they wrote', async () => {
      const answer = await store.transaction(async () => {
        await store.transaction(() => store.accounts.create({ platform: 'sandbox', label: 'first' }));
        await expect(
          store.transaction(async () => {
            await store.transaction(() => store.accounts.create({ platform: 'sandbox', label: 'nested, undone' }));
            await store.transaction(async () => undefined);
            throw new Error('outer of two fails');
          }),
        ).rejects.toThrow('outer of two fails');
        expect(await store.transaction(async () => 'wrote nothing')).toBe('wrote nothing');
        await expect(
          store.transaction(async () => {
            throw new Error('fails before any write');
          }),
        ).rejects.toThrow('fails before any write');
        await store.transaction(() => store.accounts.create({ platform: 'sandbox', label: 'last' }));
        return 'done';
      });
      expect(answer).toBe('done');
      expect((await store.accounts.list(10)).items.map((a) => a.label)).toEqual(['first', 'last']);
      // A transaction that touched nothing ends as cleanly.
      expect(await store.transaction(async () => 7)).toBe(7);
      expect(await store.accounts.count()).toBe(2);
    });

    it('sees a worker registered earlier in the same transaction among the capabilities', async () => {
      await store.workers.upsert(registration('w1', ['sandbox']));
      await store.transaction(async () => {
        expect(await store.workers.knownPlatforms()).toEqual(['sandbox']);
        await store.transaction(() => store.workers.upsert(registration('w2', ['other'])));
        expect((await store.workers.knownPlatforms()).sort()).toEqual(['other', 'sandbox']);
        expect(await store.workers.capabilitiesFor('other')).toEqual([{ platform: 'other', jobTypes: ['login', 'crawl'] }]);
      });
      expect((await store.workers.knownPlatforms()).sort()).toEqual(['other', 'sandbox']);
    });

    it('sends what a transaction asks after its commit, in order, and nothing of what was undone', async () => {
      const sent: string[] = [];
      let keptSeen: Promise<boolean> | undefined;
      let kept = '';
      await store.transaction(async () => {
        kept = (await store.accounts.create({ platform: 'sandbox', label: 'kept' })).id;
        store.afterCommit(() => {
          sent.push('first');
          // What the send tells of must be there for any caller by then.
          keptSeen = store.accounts.row(kept).then((row) => row !== undefined);
        });
        await expect(
          store.transaction(async () => {
            await store.accounts.create({ platform: 'sandbox', label: 'inner' });
            store.afterCommit(() => sent.push('inner, undone'));
            throw new Error('inner fails');
          }),
        ).rejects.toThrow('inner fails');
        await store.transaction(async () => {
          store.afterCommit(() => sent.push('second'));
        });
        expect(sent, 'nothing leaves before the commit').toEqual([]);
      });
      await expect(
        store.transaction(async () => {
          await store.accounts.create({ platform: 'sandbox', label: 'doomed' });
          store.afterCommit(() => sent.push('doomed'));
          throw new Error('rolled back');
        }),
      ).rejects.toThrow('rolled back');
      store.afterCommit(() => sent.push('outside, at once'));
      expect(sent).toEqual(['first', 'second', 'outside, at once']);
      expect(await keptSeen).toBe(true);
    });
  });
}

function newParent() {
  return {
    type: 'batch',
    platform: null,
    accountId: null,
    pool: null,
    payload: {},
    priority: 0,
    maxAttempts: 1,
    timeoutMs: 1000,
    runAfter: 0,
    parentId: null,
    idempotencyKey: null,
  };
}

function newJobFor(accountId: string) {
  return { ...newParent(), type: 'crawl', platform: 'sandbox', accountId };
}
