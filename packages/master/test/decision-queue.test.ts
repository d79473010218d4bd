import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FleetError, createLogger } from '@fleetwright/shared';
import { FleetStore, SqliteBackend, restJobLinks } from '@fleetwright/master';
import { DecisionQueue } from '../dist/scheduler/decision-queue.js';
import { newJob } from './store-conformance/conformance-setup.js';

const quiet = createLogger({ name: 'decision-queue-test', console: false });

describe('the decision queue', () => {
  let dir: string;
  let backend: SqliteBackend;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'fleet-decisions-'));
    const store = new FleetStore(path.join(dir, 'master.db'), Buffer.alloc(32, 3), { adminToken: 'fwa_test', jobLinks: restJobLinks });
    backend = new SqliteBackend(store, { artifactsDir: path.join(dir, 'artifacts'), workerToken: 'fww_test' });
  });
  afterEach(async () => {
    await backend.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses every queued decision while its fence refuses, writing nothing, and takes decisions again once the fence passes', async () => {
    let leading = false;
    const queue = new DecisionQueue(backend, quiet, async () => {
      if (!leading) throw new FleetError('NOT_LEADER', 'another master leads');
    });
    const refused = Array.from({ length: 300 }, (_, i) => queue.run(() => backend.accounts.create({ platform: 'sandbox', label: `refused ${i}` })));
    const outcomes = await Promise.allSettled(refused);
    expect(outcomes.every((o) => o.status === 'rejected' && (o.reason as FleetError).code === 'NOT_LEADER')).toBe(true);
    expect(await backend.accounts.count()).toBe(0);

    leading = true;
    const created = await queue.run(() => backend.accounts.create({ platform: 'sandbox', label: 'after' }));
    expect((await backend.accounts.row(created.id))?.label).toBe('after');
    await queue.close();
  });

  it('tells when every decision queued so far is decided and its announcements sent, not waiting for those queued after', async () => {
    const queue = new DecisionQueue(backend, quiet);
    await queue.settled();
    const sent: string[] = [];
    const decide = (label: string, fail = false) =>
      queue.run(async () => {
        await backend.accounts.create({ platform: 'sandbox', label });
        backend.afterCommit(() => sent.push(label));
        if (fail) throw new FleetError('CONFLICT', `${label} refused`);
      });
    const first = decide('first');
    const refused = decide('refused', true).catch(() => undefined);
    const alone = queue.run(async () => backend.afterCommit(() => sent.push('alone')), { alone: true });
    const settled = queue.settled();
    // Queued after the call, and held until the test lets it go (alone: no batch shares its wait).
    let letGo!: () => void;
    const held = new Promise<void>((resolve) => (letGo = resolve));
    const late = queue.run(() => held, { alone: true });
    await settled;
    expect(sent).toEqual(['first', 'alone']);
    const afterLate = queue.settled();
    let lateSettled = false;
    void afterLate.then(() => (lateSettled = true));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(lateSettled).toBe(false);
    letGo();
    await Promise.all([first, refused, alone, late, afterLate]);
    await queue.close();
  });

  it('runs a decision queued by another in the same batch, after it, and answers both', async () => {
    const queue = new DecisionQueue(backend, quiet);
    const order: string[] = [];
    let inner: Promise<unknown> | undefined;
    await queue.run(async () => {
      order.push('first');
      inner = queue.run(async () => void order.push('queued by the first'));
      await backend.accounts.create({ platform: 'sandbox' });
    });
    await inner;
    expect(order).toEqual(['first', 'queued by the first']);
    await queue.close();
  });

  // On PostgreSQL a batch holds the leader lease's row until it commits, and the lease's renewal
  // waits behind it: however many decisions wait, a batch stops taking them after a while.
  it('commits a long run of decisions in several batches rather than one that holds the store for all of them', async () => {
    // The real backend, counting its outermost transactions (the batches' commits).
    let commits = 0;
    let depth = 0;
    const queue = new DecisionQueue(
      {
        async transaction<T>(work: () => Promise<T>): Promise<T> {
          depth += 1;
          try {
            return await backend.transaction(work);
          } finally {
            depth -= 1;
            if (depth === 0) commits += 1;
          }
        },
      },
      quiet,
    );
    // Each decision stands for a slow store (a remote database): 40 of them take about 2 s in all.
    const slow = Array.from({ length: 40 }, (_, i) =>
      queue.run(async () => {
        await new Promise((resolve) => setTimeout(resolve, 50));
        return backend.accounts.create({ platform: 'sandbox', label: `slow ${i}` });
      }),
    );
    await Promise.all(slow);
    expect(await backend.accounts.count()).toBe(40);
    expect(commits).toBeGreaterThanOrEqual(3);
    await queue.close();
  });

  /**
   * A queue on the real backend that records each outermost transaction's decisions (by label), and
   * decisions that each create an account named by their label (and throw after it, if asked).
   */
  function recordingBatches() {
    const batches: string[][] = [];
    let current: string[] | undefined;
    let depth = 0;
    const queue = new DecisionQueue(
      {
        async transaction<T>(work: () => Promise<T>): Promise<T> {
          if (depth++ === 0) batches.push((current = []));
          try {
            return await backend.transaction(work);
          } finally {
            depth -= 1;
          }
        },
      },
      quiet,
    );
    const decision =
      (label: string, fail = false) =>
      async () => {
        current!.push(label);
        await backend.accounts.create({ platform: 'sandbox', label });
        if (fail) throw new FleetError('VALIDATION_FAILED', `${label} refused after writing`);
      };
    return { queue, batches, decision };
  }

  it('runs a decision asked to go alone in a transaction of its own, in its place in the queue, undone alone when it throws', async () => {
    const { queue, batches, decision } = recordingBatches();
    const outcomes = await Promise.allSettled([
      queue.run(decision('a')),
      queue.run(decision('b')),
      queue.run(decision('bulk', true), { alone: true }),
      queue.run(decision('c')),
      queue.run(decision('bulk 2'), { alone: true }),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect(batches).toEqual([['a', 'b'], ['bulk'], ['c'], ['bulk 2']]);
    const labels = (await backend.accounts.list(10)).items.map((a) => a.label).sort();
    expect(labels).toEqual(['a', 'b', 'bulk 2', 'c']);
    await queue.close();
  });

  it('commits the batch right after a decision asked to go last, which shares the commit of those before it; those after it go in the next', async () => {
    const { queue, batches, decision } = recordingBatches();
    const outcomes = await Promise.allSettled([
      queue.run(decision('a')),
      queue.run(decision('pass', true), { last: true }),
      queue.run(decision('b')),
      queue.run(decision('pass 2'), { last: true }),
      queue.run(decision('c')),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled']);
    expect(batches).toEqual([['a', 'pass'], ['b', 'pass 2'], ['c']]);
    // The one that threw is undone alone.
    expect((await backend.accounts.list(10)).items.map((a) => a.label).sort()).toEqual(['a', 'b', 'c', 'pass 2']);
    await queue.close();
  });

  it('undoes the writes of a decision that throws after a store call has written, and keeps those of the decisions batched with it', async () => {
    const queue = new DecisionQueue(backend, quiet);
    const job = async (key: string) => (await backend.jobs.create(newJob({ idempotencyKey: key }))).row;
    const outcomes = await Promise.allSettled([
      queue.run(() => job('kept before')),
      queue.run(async () => {
        const row = await job('undone');
        await backend.jobs.transition(row, 'cancelled', { finished_at: Date.now() });
        throw new Error('the decision fails after two writes');
      }),
      queue.run(() => job('kept after')),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const keys = (await backend.jobs.list({}, 10)).items.map((j) => j.idempotencyKey).sort();
    expect(keys).toEqual(['kept after', 'kept before']);
    await queue.close();
  });
});
