/**
 * Successes that workers report while one such decision waits its turn are applied by it together
 * (one write on PostgreSQL). Each report still gets the answer it would get alone, and a worker's
 * reports keep their order: none of its successes is applied before a report it sent earlier.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WorkerEvent, type JobRun } from '@fleetwright/shared';
import type { ReportedRun } from '../src/store/backend/reported-success.js';
import { MasterFixture } from './support/master-fixture.js';
import { PostgresCluster } from './support/postgres-cluster.js';
import type { SimulatedWorker } from './support/simulated-worker.js';
import { waitUntil } from './support/wait-until.js';

describe('successes reported together', () => {
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

  /** A fleet on `backend` with worker w1 running one job on each of `n` accounts. */
  async function running(backend: 'sqlite' | 'postgres', n: number): Promise<{ worker: SimulatedWorker; runs: JobRun[]; writes: number[] }> {
    fx = await MasterFixture.start(backend === 'postgres' ? { databaseUrl: (await cluster.createDatabase()).url } : {});
    const worker = await fx.worker('w1').start();
    for (let i = 0; i < n; i++) await fx.createJob({ type: 'crawl', accountId: (await fx.createAccount()).id });
    const runs = await waitUntil(`${n} jobs run`, () => (worker.runs.length === n ? worker.runs : undefined));
    for (const run of runs) await waitUntil('job running', async () => ((await fx!.job(run.jobId)).status === 'running' ? true : undefined));
    // How many successes each write together moved (a spy on the real store, which still does the work).
    const writes: number[] = [];
    const jobs = fx.master.backend.jobs;
    const each = jobs.requireWithAccountSucceedingEach.bind(jobs);
    jobs.requireWithAccountSucceedingEach = (reports: readonly { run: ReportedRun; result: string | null }[], now: number) => {
      writes.push(reports.length);
      return each(reports, now);
    };
    return { worker, runs, writes };
  }

  /** Holds the decision queue for a moment, so what arrives meanwhile waits in it together. */
  function holdDecisions(ms: number): Promise<void> {
    return fx!.master.scheduler.decide(() => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  it.each(['sqlite', 'postgres'] as const)('on %s: each report gets its own answer, and every current run moves once', async (backend) => {
    const { worker, runs, writes } = await running(backend, 4);
    const intruder = await fx!.worker('w2').start();
    const [a, b, c, d] = runs as [JobRun, JobRun, JobRun, JobRun];
    const held = holdDecisions(300);
    const acks = await Promise.all([
      worker.succeed(a, { n: 1 }),
      worker.succeed(b, { n: 2 }),
      worker.succeed(a, { n: 1 }), // sent again
      worker.succeed({ ...c, attempt: 2 }, { n: 3 }), // an attempt never dispatched
      intruder.succeed(d, { stolen: true }),
      worker.succeed(d, { n: 4 }),
    ]);
    await held;
    expect(acks).toEqual([
      { ok: true },
      { ok: true },
      { ok: true },
      { ok: false, error: expect.objectContaining({ code: 'NOT_OWNER', field: 'attempt' }) },
      { ok: false, error: expect.objectContaining({ code: 'NOT_OWNER', field: 'jobId' }) },
      { ok: true },
    ]);
    // Moved together: the three first reports of a current run, whichever order they came in.
    expect(Math.max(...writes)).toBeGreaterThanOrEqual(2);
    for (const [run, result] of [
      [a, { n: 1 }],
      [b, { n: 2 }],
      [d, { n: 4 }],
    ] as const) {
      expect(await fx!.job(run.jobId)).toMatchObject({ status: 'succeeded', result, workerId: 'w1', progress: { percent: 100, step: 'done' } });
      const statuses = (await fx!.api('GET', `/jobs/${run.jobId}/events`)).body.items.filter((e: { kind: string }) => e.kind === 'status');
      expect(statuses.filter((e: { data: { status: string } }) => e.data.status === 'succeeded')).toHaveLength(1);
    }
    expect(await fx!.job(c.jobId)).toMatchObject({ status: 'running', result: null });
    // Each refusal recorded once (a decision of its own, after the refused one), though the reports
    // were first looked at together.
    const refused = async () => (await fx!.master.backend.refusedReportTotals()).filter((t) => t.event === WorkerEvent.JobResult);
    await waitUntil('the refusals recorded', async () => ((await refused()).length > 0 ? true : undefined));
    await fx!.master.scheduler.decide(async () => undefined); // any other refusal queued lands before this
    expect(await refused()).toEqual([expect.objectContaining({ code: 'NOT_OWNER', n: 2 })]);
  });

  it.each(['sqlite', 'postgres'] as const)("on %s: a worker's success is not applied before a report it sent earlier", async (backend) => {
    const { worker, runs } = await running(backend, 2);
    const [a, b] = runs as [JobRun, JobRun];
    const held = holdDecisions(300);
    // a's success opens a decision for successes; b's progress is queued after it, and b's success
    // must come after that progress, not join a's decision before it.
    const acks = await Promise.all([worker.succeed(a, { n: 1 }), worker.progress(b, 50, 'halfway'), worker.succeed(b, { n: 2 })]);
    await held;
    expect(acks).toEqual([{ ok: true }, { ok: true }, { ok: true }]);
    expect(await fx!.job(b.jobId)).toMatchObject({ status: 'succeeded', result: { n: 2 } });
    const events = (await fx!.api('GET', `/jobs/${b.jobId}/events`)).body.items.map((e: { kind: string; data: { status?: string } }) =>
      e.kind === 'status' ? e.data.status : e.kind,
    );
    expect(events.indexOf('progress')).toBeLessThan(events.indexOf('succeeded'));
  });
});
