/**
 * Two, then three masters on one PostgreSQL database and one Redis, each a real process, with
 * workers that really run jobs. The leader is SIGKILLed in the middle of a load of jobs: another
 * master leads, no job is lost, none runs twice, and an upstream client on a master that survives
 * hears `job:done` for every job, before and after the kill.
 *
 * "Run twice" (RunLedger.duplicates): a job started again while an earlier start of it reported
 * its result, so both runs' effects happened. Only a run that never reported may be dispatched
 * again. The workers here never drop a run: they keep it in their `runningJobs` until a master
 * acknowledges its result and deliver that result to the next leader, so no job has a reason to
 * start twice; the test prints how many did (`startedTwice`) and asserts none was run twice.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import { ClientEvent, Namespace } from '@fleetwright/shared';
import type { MasterProcess } from '../../packages/master/test/support/master-process.js';
import { PostgresCluster } from '../../packages/master/test/support/postgres-cluster.js';
import { JobRunningWorker, RunLedger } from '../support/job-running-worker.js';
import { healthOf, jobStatusCounts, startMasters, waitForLeader } from '../support/master-group.js';
import { RedisServer } from '../support/redis-server.js';
import { waitFor } from '../support/wait-for.js';

const ACCOUNTS = 12;
const WORKERS = 3;
/** Jobs submitted before the kill, and as many after it. */
const JOBS_PER_PHASE = 150;
const BULK = 50;
/** The leader is killed once this many jobs are done: mid-load, with jobs queued and running. */
const KILL_AFTER_DONE = 40;

describe('the leader SIGKILLed under a load of jobs', () => {
  let cluster: PostgresCluster;
  let redis: RedisServer | undefined;
  let masters: MasterProcess[] = [];
  let workers: JobRunningWorker[] = [];
  let client: Socket | undefined;

  beforeAll(async () => {
    cluster = await PostgresCluster.start();
  });
  afterAll(() => cluster?.stop());
  afterEach(async () => {
    client?.disconnect();
    for (const w of workers) w.close();
    for (const m of masters) await m.close();
    await redis?.stop();
    masters = [];
    workers = [];
  });

  it.each([2, 3])(
    'with %i masters: another master leads, 0 jobs lost, 0 run twice, and a client on a survivor hears every job:done',
    async (count) => {
      redis = await new RedisServer().start();
      const { url: databaseUrl } = await cluster.createDatabase();
      // The default leader lease (6 s): the takeover printed below is the one an operator gets.
      masters = await startMasters(count, (id) => ({ FLEET_DATABASE_URL: databaseUrl, FLEET_REDIS_URL: redis!.url, FLEET_MASTER_ID: id }));
      const [leader, ...survivors] = masters as [MasterProcess, ...MasterProcess[]];
      // Jobs go in through a master that does not lead (it forwards the writes), and a client on the
      // last master listens: both survive the kill.
      const entry = survivors[0]!;
      const listening = survivors.at(-1)!;

      client = io(`${listening.url}${Namespace.Client}`, { auth: { token: leader.apiToken }, transports: ['websocket'] });
      /** job:done heard at the client: job id → when. */
      const done = new Map<string, number>();
      client.on(ClientEvent.JobDone, (job: { id: string }) => done.set(job.id, Date.now()));
      await waitFor('the client to connect', () => (client!.connected ? true : undefined), 10_000);

      const ledger = new RunLedger();
      const urls = masters.map((m) => m.url);
      for (let i = 0; i < WORKERS; i++) {
        const worker = new JobRunningWorker({ workerId: `w${i + 1}`, masterUrls: urls, token: leader.workerToken, ledger, runMs: 150, maxAccounts: ACCOUNTS });
        workers.push(worker);
        worker.start();
      }
      const accountIds: string[] = [];
      for (let i = 0; i < ACCOUNTS; i++) accountIds.push((await entry.api('POST', '/accounts', { platform: 'sandbox' })).body.id);

      const submitted: string[] = [];
      /** Submits a phase's jobs in bulk through `via`; a retry after a 503 during the takeover is safe (idempotency keys). */
      const submit = async (via: MasterProcess, phase: number): Promise<void> => {
        for (let from = 0; from < JOBS_PER_PHASE; from += BULK) {
          const jobs = Array.from({ length: BULK }, (_, k) => {
            const n = from + k;
            return { type: 'crawl', accountId: accountIds[n % ACCOUNTS]!, idempotencyKey: `p${phase}-${n}` };
          });
          const res = await waitFor(
            `bulk ${phase}/${from} to be accepted by ${via.url}`,
            async () => {
              const answer = await via.api('POST', '/jobs/bulk', { jobs }).catch(() => undefined);
              return answer?.status === 201 || answer?.status === 200 ? answer : undefined;
            },
            30_000,
            200,
          );
          for (const item of res.body.items as { id: string }[]) submitted.push(item.id);
        }
      };

      await submit(entry, 1);
      await waitFor(`${KILL_AFTER_DONE} jobs done before the kill`, () => (done.size >= KILL_AFTER_DONE ? true : undefined), 60_000);
      const atKill = await jobStatusCounts(databaseUrl);
      const killedAt = Date.now();
      await leader.kill();
      const next = await waitForLeader(survivors, 30_000);
      const takeoverMs = Date.now() - killedAt;

      await submit(entry, 2);
      const total = 2 * JOBS_PER_PHASE;
      expect(new Set(submitted).size).toBe(total);
      await waitFor(
        'every job to finish',
        async () => {
          const counts = await jobStatusCounts(databaseUrl);
          return (counts.succeeded ?? 0) + (counts.failed ?? 0) + (counts.cancelled ?? 0) === total ? counts : undefined;
        },
        90_000,
        250,
      );
      await waitFor('job:done of every job at the client', () => (submitted.every((id) => done.has(id)) ? true : undefined), 30_000);

      console.log(
        JSON.stringify({
          masters: count,
          jobs: total,
          atKill,
          takeoverMs,
          // The fleet going on: the first job:done the client heard after the kill.
          firstDoneAfterKillMs: Math.min(...[...done.values()].filter((at) => at > killedAt)) - killedAt,
          newLeader: (await healthOf(next.url))?.masters?.self,
          startedTwice: ledger.restarted().length,
        }),
      );
      expect(await jobStatusCounts(databaseUrl)).toEqual({ succeeded: total });
      expect(atKill.succeeded ?? 0).toBeLessThan(total);
      expect(ledger.duplicates()).toEqual([]);
      // Every job was run (no result was taken without a run), and every start's result was taken.
      expect(new Set(ledger.starts.map((s) => s.jobId))).toEqual(new Set(submitted));
      expect(ledger.starts.filter((s) => s.refused !== undefined)).toEqual([]);
      for (const m of survivors) expect((await healthOf(m.url))?.masters).toMatchObject({ leader: (await healthOf(next.url))?.masters?.self });
      expect(client.connected).toBe(true);
    },
    120_000,
  );
});
