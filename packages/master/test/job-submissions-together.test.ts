/**
 * Jobs submitted together (in one turn: what a busy `/client` or REST front sends) are created by
 * one decision, in one write on PostgreSQL. Each submission still gets the answer it would get
 * alone: a refusal is its own, an idempotency key answers with its job, and the jobs that pass are
 * written with their status event and dispatched.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CreateJobBody, FleetError } from '@fleetwright/shared';
import { MasterFixture } from './support/master-fixture.js';
import { PostgresCluster } from './support/postgres-cluster.js';
import { waitUntil } from './support/wait-until.js';

describe('jobs submitted together', () => {
  let cluster: PostgresCluster;
  let fx: MasterFixture | undefined;
  beforeAll(async () => {
    cluster = await PostgresCluster.start();
  });
  afterAll(() => cluster?.stop());
  afterEach(async () => {
    await fx?.close();
    fx = undefined;
  });

  it.each(['sqlite', 'postgres'] as const)('on %s: each gets its own answer, and those that pass are created and run', async (backend) => {
    fx = await MasterFixture.start(backend === 'postgres' ? { databaseUrl: (await cluster.createDatabase()).url } : {});
    const worker = await fx.worker('w1').start();
    const account = await fx.createAccount({ platform: 'sandbox' });
    // An account no job was made for yet: its platform is read with the others' (one read for the turn).
    const second = await fx.createAccount({ platform: 'sandbox' });
    await worker.waitForAssign(account.id);
    await worker.waitForAssign(second.id);
    const old = await fx.createJob({ type: 'crawl', accountId: account.id, idempotencyKey: 'old', payload: { page: 1 } });

    const plain = (n: number): CreateJobBody => ({ type: 'crawl', accountId: account.id, payload: { n } });
    const bodies: CreateJobBody[] = [
      plain(1),
      { type: 'crawl', accountId: account.id, idempotencyKey: 'old', payload: { page: 1 } },
      { type: 'crawl', accountId: account.id, idempotencyKey: 'old', payload: { page: 2 } },
      plain(2),
      { type: 'crawl', accountId: 'no-such-account' },
      { type: 'crawl', accountId: account.id, idempotencyKey: 'new', payload: { n: 3 } },
      { type: 'crawl', accountId: account.id, idempotencyKey: 'new', payload: { n: 3 } },
      { type: 'crawl', accountId: account.id, parentId: 'no-such-parent' },
      { type: 'crawl', accountId: second.id, payload: { n: 4 } },
    ];
    // In one turn: one decision creates them all.
    const answers = await Promise.allSettled(bodies.map((body) => fx!.master.commands.submit(body)));
    const summary = answers.map((a) =>
      a.status === 'fulfilled'
        ? { created: a.value.created, status: a.value.job.status }
        : { code: (a.reason as FleetError).code, field: (a.reason as FleetError).field },
    );
    expect(summary).toEqual([
      { created: true, status: 'queued' },
      { created: false, status: expect.any(String) },
      { code: 'CONFLICT', field: 'idempotencyKey' },
      { created: true, status: 'queued' },
      { code: 'ACCOUNT_NOT_FOUND', field: 'accountId' },
      { created: true, status: 'queued' },
      { created: false, status: 'queued' },
      { code: 'JOB_NOT_FOUND', field: 'parentId' },
      { created: true, status: 'queued' },
    ]);
    const value = (i: number) => (answers[i] as PromiseFulfilledResult<Awaited<ReturnType<MasterFixture['master']['commands']['submit']>>>).value.job;
    expect(value(1).id).toBe(old.id);
    expect(value(6).id).toBe(value(5).id);
    // Created in the order submitted, each with its status event, and run.
    const created = [0, 3, 5, 8].map(value);
    expect(created.map((job) => job.payload)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }]);
    // Newest first: the order submitted, reversed.
    expect(((await fx.api('GET', '/jobs?limit=100')).body.items as { id: string }[]).map((j) => j.id)).toEqual([old, ...created].map((j) => j.id).reverse());
    for (const job of created) {
      const events = (await fx.api('GET', `/jobs/${job.id}/events`)).body;
      expect(events.items.filter((e: { kind: string }) => e.kind === 'status')[0]?.data).toEqual({ status: 'queued' });
    }
    for (const job of [old, ...created]) {
      const run = await waitUntil(`job ${job.id} runs`, () => worker.runs.find((r) => r.jobId === job.id));
      expect((await worker.succeed(run)).ok).toBe(true);
    }
    const jobs = (await fx.api('GET', '/jobs?limit=100')).body.items as { status: string }[];
    expect(jobs.map((j) => j.status)).toEqual(Array(5).fill('succeeded'));
  });
});
