import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JOB_STATUSES, type JobStatus } from '@fleetwright/shared';
import { JOB_TRANSITIONS, succeededPatch } from '@fleetwright/master';
import type { FleetBackend, JobRow, ReportedRun } from '@fleetwright/master';
import { jobIn, newJob, type ConformanceTarget, type OpenedBackend } from './conformance-setup.js';

/** Paths from `queued` to each status. */
const PATH_TO: Record<JobStatus, JobStatus[]> = {
  queued: [],
  dispatched: ['dispatched'],
  running: ['dispatched', 'running'],
  succeeded: ['dispatched', 'running', 'succeeded'],
  failed: ['dispatched', 'running', 'failed'],
  cancelled: ['cancelled'],
};

export function describeJobsConformance(target: ConformanceTarget): void {
  describe('jobs', () => {
    let opened: OpenedBackend;
    let store: FleetBackend;
    beforeEach(async () => {
      opened = await target.open();
      store = opened.backend;
    });
    afterEach(() => opened.dispose());

    const account = async (tags: string[] = []): Promise<string> => (await store.accounts.create({ platform: 'sandbox', tags })).id;

    it('creates a queued job with its first status event, and reads it back', async () => {
      const { row, created } = await store.jobs.create(newJob({ type: 'login', payload: { a: 1 }, priority: 5 }));
      expect(created).toBe(true);
      expect(row).toMatchObject({ type: 'login', status: 'queued', priority: 5, attempt: 1, max_attempts: 3, started_at: null });
      expect(JSON.parse(row.payload)).toEqual({ a: 1 });
      expect(await store.jobs.row(row.id)).toEqual(row);
      expect((await store.jobs.events(row.id)).map((e) => [e.kind, e.data])).toEqual([['status', { status: 'queued' }]]);
    });

    it('creates a parent running, with its start time', async () => {
      const { row } = await store.jobs.create(newJob({ type: 'batch', platform: null, status: 'running', options: { stopOnFailure: true } }));
      expect(row.status).toBe('running');
      expect(row.started_at).not.toBeNull();
      expect(JSON.parse(row.options)).toEqual({ stopOnFailure: true });
    });

    it('answers a known idempotency key with the same job, and refuses it for a different request', async () => {
      const first = await store.jobs.create(newJob({ idempotencyKey: 'k1', idempotencyFingerprint: 'f1' }));
      const again = await store.jobs.create(newJob({ idempotencyKey: 'k1', idempotencyFingerprint: 'f1' }));
      expect(again).toEqual({ row: first.row, created: false });
      await expect(store.jobs.create(newJob({ idempotencyKey: 'k1', idempotencyFingerprint: 'f2' }))).rejects.toMatchObject({
        code: 'CONFLICT',
        field: 'idempotencyKey',
      });
      expect((await store.jobs.countByStatus()).queued).toBe(1);
    });

    it('refuses a job for an account that does not exist, naming accountId, and writes nothing', async () => {
      const gone = await account();
      await store.accounts.delete(gone);
      for (const over of [{ accountId: gone }, { accountId: gone, idempotencyKey: 'k-gone' }])
        await expect(store.jobs.create(newJob(over))).rejects.toMatchObject({ code: 'ACCOUNT_NOT_FOUND', field: 'accountId' });
      expect((await store.jobs.countByStatus()).queued).toBe(0);
      // A known key answers with its job, whatever became of the account since.
      const accountId = await account();
      const first = await store.jobs.create(newJob({ accountId, idempotencyKey: 'k1' }));
      await store.accounts.delete(accountId);
      expect(await store.jobs.create(newJob({ accountId, idempotencyKey: 'k1' }))).toMatchObject({ row: { id: first.row.id }, created: false });
    });

    it('dispatches several queued jobs at once, each with its worker, epoch and timeline event, in the order given', async () => {
      const accountId = await account();
      const poolAccount = await account(['p']);
      const own = (await store.jobs.create(newJob({ accountId }))).row;
      const pooled = (await store.jobs.create(newJob({ pool: 'p', platform: null }))).row;
      await store.jobs.setProgress(pooled.id, 0, 'held', 'waiting for a limit');
      const rows = await store.jobs.dispatchMany([
        {
          id: pooled.id,
          workerId: 'w2',
          epoch: 4,
          dispatchedAt: 1_000,
          leaseExpiresAt: 61_000,
          account: { id: poolAccount, platform: 'sandbox' },
          releasesHold: true,
        },
        { id: own.id, workerId: 'w1', epoch: 3, dispatchedAt: 2_000, leaseExpiresAt: 62_000 },
      ]);
      expect(rows.map((r) => r.id)).toEqual([pooled.id, own.id]);
      expect(rows[0]).toMatchObject({ status: 'dispatched', worker_id: 'w2', epoch: 4, dispatched_at: 1_000, lease_expires_at: 61_000 });
      expect(rows[0]).toMatchObject({ account_id: poolAccount, platform: 'sandbox', progress_step: 'queued', progress_message: null });
      expect(rows[1]).toMatchObject({ status: 'dispatched', worker_id: 'w1', epoch: 3, account_id: accountId, platform: 'sandbox' });
      expect(await store.jobs.require(own.id)).toEqual(rows[1]);
      const statusEvents = async (id: string) => (await store.jobs.events(id)).filter((e) => e.kind === 'status').map((e) => e.data);
      expect(await statusEvents(own.id)).toEqual([{ status: 'queued' }, { from: 'queued', status: 'dispatched', workerId: 'w1', epoch: 3 }]);
      expect(await store.jobs.dispatchMany([])).toEqual([]);
    });

    it('dispatches all or none: a job no longer queued refuses the whole move', async () => {
      const queued = (await store.jobs.create(newJob())).row;
      const running = await jobIn(store, ['dispatched', 'running']);
      const moves = [queued.id, running].map((id) => ({ id, workerId: 'w1', epoch: 1, dispatchedAt: 1, leaseExpiresAt: 2 }));
      await expect(store.jobs.dispatchMany(moves)).rejects.toMatchObject({ code: 'ILLEGAL_TRANSITION', field: 'status' });
      expect(await store.jobs.require(queued.id)).toEqual(queued);
      expect((await store.jobs.events(queued.id)).length).toBe(1);
    });

    it('refuses an unknown job naming the field', async () => {
      expect(await store.jobs.row('nope')).toBeUndefined();
      await expect(store.jobs.require('nope')).rejects.toMatchObject({ code: 'JOB_NOT_FOUND', field: 'jobId' });
      await expect(store.jobs.require('nope', 'id')).rejects.toMatchObject({ code: 'JOB_NOT_FOUND', field: 'id' });
    });

    it("reads a job with a named account's ownership in one call: the account's own, none for an unknown one, JOB_NOT_FOUND for an unknown job", async () => {
      const accountId = await account();
      const other = await account();
      await store.workers.upsert({ id: 'w9', host: 'h', version: '1', capabilities: [], maxAccounts: 9, maxConcurrency: 1, maxLiveContexts: 1 });
      await store.accounts.assignOwner(other, 'w9');
      const { row } = await store.jobs.create(newJob({ accountId }));
      const owned = await store.jobs.requireWithAccount(row.id, other);
      expect(owned.job).toEqual(row);
      expect(owned.account).toEqual(await store.accounts.ownership(other));
      expect(owned.account).toMatchObject({ id: other, platform: 'sandbox', owner_worker_id: 'w9' });
      expect(await store.jobs.requireWithAccount(row.id, 'no-such-account')).toEqual({ job: row, account: undefined });
      await expect(store.jobs.requireWithAccount('nope', accountId)).rejects.toMatchObject({ code: 'JOB_NOT_FOUND', field: 'jobId' });
    });

    describe("a worker's reported success, read and moved in one call", () => {
      /** An account owned by w1 at epoch 1, and a job of it dispatched to w1 under epoch 1 (then `path`). */
      async function reportedJob(path: JobStatus[] = ['running']): Promise<{ accountId: string; jobId: string }> {
        await store.workers.upsert({ id: 'w1', host: 'h', version: '1', capabilities: [], maxAccounts: 9, maxConcurrency: 1, maxLiveContexts: 1 });
        const accountId = await account();
        expect((await store.accounts.assignOwner(accountId, 'w1')).epoch).toBe(1);
        const jobId = await jobIn(store, ['dispatched', ...path], { accountId });
        return { accountId, jobId };
      }
      const run = (accountId: string, jobId: string, over: Partial<ReportedRun> = {}): ReportedRun => ({
        jobId,
        accountId,
        workerId: 'w1',
        attempt: 1,
        epoch: 1,
        ...over,
      });

      for (const path of [['running'], []] as JobStatus[][]) {
        it(`moves a ${path[0] ?? 'dispatched'} job to succeeded as a success's transition would, and answers the job and account as they were`, async () => {
          const { accountId, jobId } = await reportedJob(path);
          const before = await store.jobs.requireWithAccount(jobId, accountId);
          const now = Date.now();
          const answer = await store.jobs.requireWithAccountSucceeding(run(accountId, jobId), now, '{"ok":true}');
          expect({ job: answer.job, account: answer.account }).toEqual(before);
          expect(answer.succeeded).toEqual(await store.jobs.require(jobId));
          expect(answer.succeeded).toEqual({ ...before.job, status: 'succeeded', ...succeededPatch(before.job, now, '{"ok":true}') });
          expect((await store.jobs.events(jobId)).at(-1)).toMatchObject({ kind: 'status', data: { from: before.job.status, status: 'succeeded' } });
        });
      }

      const notCurrent: [string, (ids: { accountId: string; jobId: string }) => Promise<ReportedRun>][] = [
        ['another worker', async ({ accountId, jobId }) => run(accountId, jobId, { workerId: 'w2' })],
        ['another attempt', async ({ accountId, jobId }) => run(accountId, jobId, { attempt: 2 })],
        ['another account', async ({ jobId }) => run(await account(), jobId)],
        ['a stale epoch of the job', async ({ accountId, jobId }) => run(accountId, jobId, { epoch: 0 })],
        [
          'an account that moved on to a new epoch',
          async ({ accountId, jobId }) => {
            await store.accounts.assignOwner(accountId, 'w1');
            return run(accountId, jobId);
          },
        ],
        ['an account that is gone', async ({ jobId }) => run('no-such-account', jobId)],
        [
          'a job already back in the queue',
          async ({ accountId, jobId }) => {
            await store.jobs.transition(jobId, 'queued', { worker_id: null, epoch: null });
            return run(accountId, jobId);
          },
        ],
        [
          'a job already cancelled',
          async ({ accountId, jobId }) => {
            await store.jobs.transition(jobId, 'cancelled', { finished_at: Date.now() });
            return run(accountId, jobId);
          },
        ],
      ];
      for (const [what, reported] of notCurrent) {
        it(`moves nothing for ${what}, and answers the job and account as they are`, async () => {
          const ids = await reportedJob();
          const asked = await reported(ids);
          const before = await store.jobs.requireWithAccount(asked.jobId, asked.accountId);
          const events = await store.jobs.events(asked.jobId);
          const answer = await store.jobs.requireWithAccountSucceeding(asked, Date.now(), null);
          expect(answer).toEqual({ ...before, succeeded: undefined });
          expect(await store.jobs.require(asked.jobId)).toEqual(before.job);
          expect(await store.jobs.events(asked.jobId)).toEqual(events);
        });
      }

      it('refuses an unknown job with JOB_NOT_FOUND naming jobId', async () => {
        const { accountId } = await reportedJob();
        await expect(store.jobs.requireWithAccountSucceeding(run(accountId, 'nope'), Date.now(), null)).rejects.toMatchObject({
          code: 'JOB_NOT_FOUND',
          field: 'jobId',
        });
      });

      it('is undone with the transaction it ran in', async () => {
        const { accountId, jobId } = await reportedJob();
        const before = await store.jobs.require(jobId);
        await expect(
          store.transaction(async () => {
            expect((await store.jobs.requireWithAccountSucceeding(run(accountId, jobId), Date.now(), null)).succeeded?.status).toBe('succeeded');
            throw new Error('refused after all');
          }),
        ).rejects.toThrow('refused after all');
        expect(await store.jobs.require(jobId)).toEqual(before);
      });

      it('answers many reports in one call as it answers each, moving only the current runs', async () => {
        const running = await reportedJob();
        const stale = await reportedJob();
        const dispatched = await reportedJob([]);
        const reports = [
          { run: run(running.accountId, running.jobId), result: '{"n":1}' },
          { run: run(stale.accountId, stale.jobId, { attempt: 2 }), result: null },
          { run: run(dispatched.accountId, dispatched.jobId), result: '{"n":3}' },
        ];
        const before = await Promise.all(reports.map(({ run }) => store.jobs.requireWithAccount(run.jobId, run.accountId)));
        const staleEvents = await store.jobs.events(stale.jobId);
        const now = Date.now();
        const answers = await store.jobs.requireWithAccountSucceedingEach(reports, now);
        expect(answers.map(({ job, account }) => ({ job, account }))).toEqual(before);
        expect(answers[1]!.succeeded).toBeUndefined();
        expect(await store.jobs.require(stale.jobId)).toEqual(before[1]!.job);
        expect(await store.jobs.events(stale.jobId)).toEqual(staleEvents);
        for (const i of [0, 2]) {
          const { run: asked, result } = reports[i]!;
          expect(answers[i]!.succeeded).toEqual(await store.jobs.require(asked.jobId));
          expect(answers[i]!.succeeded).toEqual({ ...before[i]!.job, status: 'succeeded', ...succeededPatch(before[i]!.job, now, result) });
          expect((await store.jobs.events(asked.jobId)).at(-1)).toMatchObject({ kind: 'status', data: { from: before[i]!.job.status, status: 'succeeded' } });
        }
        expect(await store.jobs.requireWithAccountSucceedingEach([], now)).toEqual([]);
      });

      it('refuses many reports with an unknown job among them with JOB_NOT_FOUND, moving none', async () => {
        const { accountId, jobId } = await reportedJob();
        const before = await store.jobs.require(jobId);
        await expect(
          store.jobs.requireWithAccountSucceedingEach(
            [
              { run: run(accountId, jobId), result: null },
              { run: run(accountId, 'nope'), result: null },
            ],
            Date.now(),
          ),
        ).rejects.toMatchObject({ code: 'JOB_NOT_FOUND', field: 'jobId' });
        expect(await store.jobs.require(jobId)).toEqual(before);
      });
    });

    for (const from of JOB_STATUSES) {
      for (const to of JOB_STATUSES) {
        const allowed = JOB_TRANSITIONS[from].includes(to);
        it(`${allowed ? 'moves' : 'refuses to move'} a ${from} job to ${to}`, async () => {
          const id = await jobIn(store, PATH_TO[from]);
          const before = await store.jobs.require(id);
          const eventsBefore = (await store.jobs.events(id)).length;
          if (allowed) {
            const row = await store.jobs.transition(id, to, { error_code: 'X' }, { why: 'test' });
            expect(row).toMatchObject({ status: to, error_code: 'X' });
            const events = await store.jobs.events(id);
            expect(events).toHaveLength(eventsBefore + 1);
            expect(events.at(-1)).toMatchObject({ kind: 'status', data: { from, status: to, why: 'test' } });
          } else {
            await expect(store.jobs.transition(id, to)).rejects.toMatchObject({ code: 'ILLEGAL_TRANSITION', field: 'status' });
            expect(await store.jobs.require(id)).toEqual(before);
            expect(await store.jobs.events(id)).toHaveLength(eventsBefore);
          }
        });
      }
    }

    it('judges a move from a row read earlier by the status the job has when written', async () => {
      const id = await jobIn(store, []);
      const stale = await store.jobs.require(id);
      await store.jobs.transition(id, 'cancelled');
      await expect(store.jobs.transition(stale, 'dispatched')).rejects.toMatchObject({ code: 'ILLEGAL_TRANSITION' });
      const running = await store.jobs.require(await jobIn(store, ['dispatched']));
      await store.jobs.transition(running.id, 'running');
      // Read as dispatched, now running: running may still succeed, so the move applies.
      expect((await store.jobs.transition(running, 'succeeded')).status).toBe('succeeded');
    });

    it('keeps the first cancel request and records it once', async () => {
      const id = await jobIn(store, ['dispatched']);
      const first = await store.jobs.requestCancel(id, 1000);
      const second = await store.jobs.requestCancel(id, 2000);
      expect(first.cancel_requested_at).toBe(1000);
      expect(second.cancel_requested_at).toBe(1000);
      expect((await store.jobs.events(id)).filter((e) => e.kind === 'cancel_requested')).toHaveLength(1);
    });

    it('sets progress with a timeline event, and pages the timeline oldest first', async () => {
      const id = await jobIn(store, ['dispatched', 'running']);
      const row = await store.jobs.setProgress(id, 40, 'step two', 'half');
      expect(row).toMatchObject({ progress_percent: 40, progress_step: 'step two', progress_message: 'half' });
      await store.jobs.addEvent(id, 'note', { n: 1 });
      const all = await store.jobs.events(id);
      expect(all.map((e) => e.kind)).toEqual(['status', 'status', 'status', 'progress', 'note']);
      const first = await store.jobs.eventPage(id, 2);
      expect(first.items.map((e) => e.kind)).toEqual(['status', 'status']);
      expect(first.nextCursor).not.toBeNull();
      const rest = await store.jobs.eventPage(id, 10, first.nextCursor!);
      expect(rest.items).toEqual(all.slice(2));
      expect(rest.nextCursor).toBeNull();
    });

    it('lists runnable jobs in dispatch order, leaving out busy accounts and jobs not yet due', async () => {
      const idle = await account();
      const busy = await account();
      await jobIn(store, ['dispatched'], { accountId: busy });
      const waiting = await jobIn(store, [], { accountId: busy });
      const low = await jobIn(store, [], { accountId: idle, priority: 0, runAfter: 10 });
      const high = await jobIn(store, [], { accountId: idle, priority: 9, runAfter: 20 });
      const early = await jobIn(store, [], { accountId: idle, priority: 0, runAfter: 5 });
      const later = await jobIn(store, [], { accountId: idle, priority: 0, runAfter: 5_000 });
      const pool = await jobIn(store, [], { pool: 'p', runAfter: 10 });
      const runnable = await store.jobs.runnable(100, 10);
      expect(runnable.map((j) => j.id)).toEqual([high, early, low, pool]);
      expect(runnable.map((j) => j.id)).not.toContain(waiting);
      expect(runnable.map((j) => j.id)).not.toContain(later);
      expect(runnable[0]).toMatchObject({
        account_id: idle,
        account_platform: 'sandbox',
        owner_worker_id: null,
        account_epoch: 0,
        owner_status: null,
        owner_max_concurrency: null,
      });
      expect(runnable[3]).toMatchObject({ account_id: null, pool: 'p', account_platform: null, owner_status: null });
      expect((await store.jobs.runnable(100, 2)).map((j) => j.id)).toEqual([high, early]);
      expect((await store.jobs.queuedPoolJobs(100, 10)).map((j) => j.id)).toEqual([pool]);
      expect(await store.jobs.queuedPoolJobs(5, 10)).toEqual([]);
    });

    it('reads the jobs in flight and the next jobs of the accounts among those asked that have none, in one call', async () => {
      await store.workers.upsert({ id: 'w1', host: 'h', version: '1', capabilities: [], maxAccounts: 9, maxConcurrency: 3, maxLiveContexts: 1 });
      const t = Date.now() + 60_000;
      const [busy, idle, later, empty] = [await account(), await account(), await account(), await account()];
      for (const id of [busy, idle]) await store.accounts.assignOwner(id, 'w1');
      await jobIn(store, ['dispatched'], { accountId: busy });
      const behind = await jobIn(store, [], { accountId: busy, runAfter: t });
      const next = await jobIn(store, [], { accountId: idle, runAfter: t });
      await jobIn(store, [], { accountId: later, runAfter: t + 500 });
      const asked = [later, busy, empty, idle];
      const read = await store.jobs.inFlightAndNextOf(asked, t);
      expect(read.inFlight).toEqual(await store.jobs.inFlight());
      expect(read.inFlight.accounts).toEqual(new Set([busy]));
      // As nextQueuedOfEach answers for the accounts with nothing in flight, in the order asked.
      const alone = await store.jobs.nextQueuedOfEach([later, empty, idle], t);
      expect({ next: read.next, dueAt: read.dueAt }).toEqual(alone);
      expect(read.next.map((j) => j.id)).toEqual([next]);
      expect(read.next.map((j) => j.id)).not.toContain(behind);
      expect(read.dueAt).toEqual(new Map([[later, t + 500]]));
      const none = await store.jobs.inFlightAndNextOf([], t);
      expect(none).toEqual({ inFlight: read.inFlight, next: [], dueAt: new Map() });
    });

    it("reads each runnable job's owner with it: its status and capacity", async () => {
      await store.workers.upsert({ id: 'w1', host: 'h', version: '1', capabilities: [], maxAccounts: 9, maxConcurrency: 3, maxLiveContexts: 1 });
      const owned = await account();
      await store.accounts.assignOwner(owned, 'w1');
      const job = await jobIn(store, [], { accountId: owned, runAfter: 10 });
      const expected = { id: job, owner_worker_id: 'w1', owner_status: 'online', owner_max_concurrency: 3 };
      expect((await store.jobs.runnable(100, 10)).find((j) => j.id === job)).toMatchObject(expected);
      expect(await store.jobs.nextQueuedOf(owned, 100)).toMatchObject(expected);
      expect((await store.jobs.nextQueuedOfEach([owned], 100)).next).toEqual([expect.objectContaining(expected)]);
      await store.workers.setStatus('w1', 'draining');
      expect((await store.jobs.nextQueuedOfEach([owned], 100)).next).toEqual([expect.objectContaining({ ...expected, owner_status: 'draining' })]);
    });

    it("answers an account's next job, when its first is due, and which accounts have queued jobs", async () => {
      const t = Date.now() + 60_000;
      const a = await account();
      const b = await account();
      const later = await jobIn(store, [], { accountId: a, runAfter: t + 500 });
      const sooner = await jobIn(store, [], { accountId: a, runAfter: t + 200 });
      await jobIn(store, ['dispatched'], { accountId: b });
      expect((await store.jobs.nextQueuedOf(a, t + 100))?.id).toBeUndefined();
      expect((await store.jobs.nextQueuedOf(a, t + 300))?.id).toBe(sooner);
      expect((await store.jobs.nextQueuedOf(a, t + 600))?.id).toBe(sooner);
      expect(await store.jobs.firstQueuedDueAt(a)).toBe(t + 200);
      expect(await store.jobs.firstQueuedDueAt(b)).toBeUndefined();
      expect(await store.jobs.accountsWithQueuedJobs()).toEqual([a]);
      expect((await store.jobs.queuedOf(a)).map((j) => j.id).sort()).toEqual([later, sooner].sort());
      expect(await store.jobs.oldestRunnableSince(t + 100)).toBeUndefined();
      expect(await store.jobs.oldestRunnableSince(t + 1_000)).toBe(t + 200);
    });

    it('answers the next jobs of several accounts, and when the others are first due, in one call, as the single calls do', async () => {
      const t = Date.now() + 60_000;
      const [a, b, c] = [await account(), await account(), await account()];
      const aFirst = await jobIn(store, [], { accountId: a, runAfter: t + 200, priority: 1 });
      await jobIn(store, [], { accountId: a, runAfter: t + 100 });
      const bLater = await jobIn(store, [], { accountId: b, runAfter: t + 900 });
      const ids = (jobs: { id: string }[]) => jobs.map((j) => j.id);
      const at300 = await store.jobs.nextQueuedOfEach([c, b, a], t + 300);
      expect(ids(at300.next)).toEqual([aFirst]);
      expect(at300.dueAt).toEqual(new Map([[b, t + 900]]));
      const at1000 = await store.jobs.nextQueuedOfEach([b, c, a], t + 1_000);
      expect(ids(at1000.next)).toEqual([bLater, aFirst]);
      expect(at1000.dueAt).toEqual(new Map());
      expect(await store.jobs.nextQueuedOfEach([], t)).toEqual({ next: [], dueAt: new Map() });
      expect((await store.jobs.nextQueuedOfEach([a], t + 300)).next[0]).toEqual(await store.jobs.nextQueuedOf(a, t + 300));
      expect((await store.jobs.nextQueuedOfEach([a, b, c], t)).dueAt).toEqual(
        new Map([
          [a, t + 100],
          [b, t + 900],
        ]),
      );
    });

    it('finds in-flight jobs by worker, by account and by expired lease', async () => {
      const a = await account();
      const b = await account();
      const onW1 = await jobIn(store, ['dispatched'], { accountId: a }, 'w1');
      const onW2 = await jobIn(store, ['dispatched', 'running'], { accountId: b }, 'w2');
      await jobIn(store, ['dispatched', 'running', 'succeeded'], {}, 'w1');
      await store.jobs.transition(onW1, 'running', { lease_expires_at: 1_000 });
      await store.jobs.setProgress(onW2, 10, 's', null);
      expect((await store.jobs.activeForWorker('w1')).map((j) => j.id)).toEqual([onW1]);
      expect(await store.jobs.activeAccountIds()).toEqual(new Set([a, b]));
      expect(await store.jobs.countActiveByWorker()).toEqual(
        new Map([
          ['w1', 1],
          ['w2', 1],
        ]),
      );
      expect(await store.jobs.inFlight()).toEqual({ accounts: await store.jobs.activeAccountIds(), perWorker: await store.jobs.countActiveByWorker() });
      expect((await store.jobs.leaseExpiredBefore(2_000)).map((j) => j.id)).toEqual([onW1]);
      expect(await store.jobs.leaseExpiredBefore(500)).toEqual([]);
    });

    it('counts jobs by status, by type and status, and finished ones per minute', async () => {
      await jobIn(store, [], { type: 'login' });
      await jobIn(store, ['dispatched'], { type: 'crawl' });
      const done = await jobIn(store, ['dispatched', 'running'], { type: 'crawl' });
      const now = Date.now();
      await store.jobs.transition(done, 'succeeded', { finished_at: now });
      await store.jobs.transition(await jobIn(store, []), 'cancelled', { finished_at: now });
      expect(await store.jobs.countByStatus()).toEqual({ queued: 1, dispatched: 1, running: 0, succeeded: 1, failed: 0, cancelled: 1 });
      expect(await store.jobs.countUnfinished()).toEqual({ queued: 1, dispatched: 1, running: 0 });
      const sorted = (rows: { type: string; status: string; n: number }[]): string[] => rows.map((r) => `${r.type}/${r.status}=${r.n}`).sort();
      expect(sorted(await store.jobs.countByTypeAndStatus(true))).toEqual(['crawl/dispatched=1', 'login/queued=1']);
      expect(sorted(await store.jobs.countByTypeAndStatus(false))).toEqual(['crawl/cancelled=1', 'crawl/dispatched=1', 'crawl/succeeded=1', 'login/queued=1']);
      const minute = Math.floor(now / 60_000);
      const perMinute = (await store.jobs.finishedPerMinute(now - 60_000)).map((r) => `${r.minute}/${r.status}=${r.n}`).sort();
      expect(perMinute).toEqual([`${minute}/cancelled=1`, `${minute}/succeeded=1`]);
      expect(await store.jobs.finishedPerMinute(now + 60_000)).toEqual([]);
    });

    it('creates many new jobs in one call, in order, as create would; leaves to create each job whose account is gone or whose key is used', async () => {
      expect(await store.jobs.createNew([])).toEqual([]);
      const a = await account();
      const { row: keyed } = await store.jobs.create(newJob({ idempotencyKey: 'used' }));
      const rows = await store.jobs.createNew([
        newJob({ accountId: a, type: 'login', payload: { n: 1 }, priority: 3, idempotencyKey: 'k1', idempotencyFingerprint: 'f1' }),
        newJob({ accountId: 'gone' }),
        newJob({ idempotencyKey: 'used' }),
        newJob({ idempotencyKey: 'twice' }),
        newJob({ idempotencyKey: 'twice' }),
        newJob({ status: 'running', type: 'batch', platform: null }),
      ]);
      expect(rows.map((row) => row !== undefined)).toEqual([true, false, false, true, false, true]);
      const [first, , , fourth, , sixth] = rows as JobRow[];
      expect(first).toMatchObject({
        account_id: a,
        type: 'login',
        platform: 'sandbox',
        status: 'queued',
        priority: 3,
        idempotency_key: 'k1',
        idempotency_fingerprint: 'f1',
        started_at: null,
      });
      expect(JSON.parse(first!.payload)).toEqual({ n: 1 });
      expect(sixth).toMatchObject({ status: 'running', started_at: sixth!.created_at });
      expect(first!.seq).toBeLessThan(fourth!.seq);
      expect(fourth!.seq).toBeLessThan(sixth!.seq);
      expect(first!.seq).toBeGreaterThan(keyed.seq);
      for (const row of [first!, fourth!, sixth!]) {
        expect(await store.jobs.row(row.id)).toEqual(row);
        expect((await store.jobs.events(row.id)).map((e) => [e.kind, e.data])).toEqual([['status', { status: row.status }]]);
      }
      expect((await store.jobs.countByStatus()).queued).toBe(3);
    });

    it('reads the jobs finished since a time in the order they finished, a page at a time', async () => {
      const finishedAt = async (at: number): Promise<string> => {
        const id = await jobIn(store, []);
        await store.jobs.transition(id, 'cancelled', { finished_at: at });
        return id;
      };
      await finishedAt(1_000);
      const late = await finishedAt(3_000);
      const a = await finishedAt(2_000);
      const b = await finishedAt(2_000);
      await jobIn(store, ['dispatched']);
      const first = await store.jobs.finishedSince(2_000, 2);
      expect(first.map((j) => j.id)).toEqual([a, b]);
      expect((await store.jobs.finishedSince(2_000, 2, first.at(-1))).map((j) => j.id)).toEqual([late]);
      expect((await store.jobs.finishedSince(2_000, 10, { finished_at: 3_000, seq: Number.MAX_SAFE_INTEGER })).map((j) => j.id)).toEqual([]);
      expect(await store.jobs.finishedSince(3_001, 10)).toEqual([]);
    });

    it('lists job views newest first, filtered, a page at a time', async () => {
      const a = await account();
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push(await jobIn(store, [], { type: i % 2 ? 'login' : 'crawl', accountId: i < 3 ? a : null }));
      const first = await store.jobs.list({}, 2);
      expect(first.items.map((j) => j.id)).toEqual([ids[4], ids[3]]);
      const second = await store.jobs.list({}, 2, first.nextCursor!);
      expect(second.items.map((j) => j.id)).toEqual([ids[2], ids[1]]);
      const last = await store.jobs.list({}, 2, second.nextCursor!);
      expect(last).toEqual({ items: [expect.objectContaining({ id: ids[0] })], nextCursor: null });
      expect((await store.jobs.list({ type: 'login' }, 10)).items.map((j) => j.id)).toEqual([ids[3], ids[1]]);
      expect((await store.jobs.list({ accountId: a, type: 'crawl' }, 10)).items.map((j) => j.id)).toEqual([ids[2], ids[0]]);
      expect((await store.jobs.list({ status: 'running' }, 10)).items).toEqual([]);
      const view = await store.jobs.view(await store.jobs.require(ids[0]!));
      expect(view).toMatchObject({ id: ids[0], type: 'crawl', status: 'queued', accountId: a });
      expect(await store.jobs.views([await store.jobs.require(ids[1]!), await store.jobs.require(ids[0]!)])).toEqual([
        await store.jobs.view(await store.jobs.require(ids[1]!)),
        view,
      ]);
    });

    it("answers a parent's children, their tally and its first child by status and type", async () => {
      const { row: parent } = await store.jobs.create(newJob({ type: 'batch', platform: null, status: 'running' }));
      const c1 = await jobIn(store, ['dispatched', 'running', 'succeeded'], { parentId: parent.id, type: 'login' });
      const c2 = await jobIn(store, ['dispatched', 'running'], { parentId: parent.id, type: 'crawl' });
      const c3 = await jobIn(store, ['cancelled'], { parentId: parent.id, type: 'crawl' });
      const c4 = await jobIn(store, [], { parentId: parent.id, type: 'crawl' });
      await store.jobs.setProgress(c2, 30, 's', null);
      expect((await store.jobs.children(parent.id)).map((j) => j.id)).toEqual([c1, c2, c3, c4]);
      expect(await store.jobs.childTally(parent.id)).toEqual({ total: 4, finished: 2, failed: 0, cancelled: 1, currentPercent: 30 });
      expect((await store.jobs.firstChild(parent.id, 'queued'))?.id).toBe(c4);
      expect((await store.jobs.firstChild(parent.id, 'running', 'login'))?.id).toBeUndefined();
      expect((await store.jobs.firstChildOfType(parent.id, 'crawl'))?.id).toBe(c2);
      expect((await store.jobs.view(parent)).childIds).toEqual([c1, c2, c3, c4]);
      expect((await store.jobs.view(await store.jobs.require(c1))).childIds).toBeUndefined();
    });
  });
}
