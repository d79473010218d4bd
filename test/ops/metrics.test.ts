import { afterEach, describe, expect, it } from 'vitest';
import { MasterFixture } from '../../packages/master/test/support/master-fixture.js';
import { PrometheusScrape } from './prometheus-scrape.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('/metrics in the Prometheus text format', () => {
  let fixture: MasterFixture | undefined;
  afterEach(async () => {
    await fixture?.close();
    fixture = undefined;
  });

  it('needs no token and moves with the fleet: workers, contexts, jobs, durations, waits, failures, refusals', async () => {
    fixture = await MasterFixture.start();
    const scrape = (): Promise<PrometheusScrape> => PrometheusScrape.from(fixture!.url);

    const empty = await scrape();
    expect(empty.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(empty.value('fleet_workers', { status: 'online' })).toBe(0);
    expect(empty.type('fleet_job_duration_seconds')).toBe('histogram');
    expect(empty.value('fleet_heartbeat_interval_seconds')).toBe(10);
    expect(empty.value('process_resident_memory_bytes')).toBeGreaterThan(0);

    const worker = await fixture.worker('w1').start();
    await sleep(5);
    await worker.heartbeat({ rssBytes: 5_000, browserRssBytes: 70_000, cpuPercent: 12.5, liveContexts: 3, runningJobs: 1 });
    await sleep(5);
    await worker.heartbeat({
      rssBytes: 5_000,
      browserRssBytes: 70_000,
      cpuPercent: 12.5,
      liveContexts: 3,
      runningJobs: 1,
      hibernatedContexts: 7,
      lockAcquisitions: 11,
      lockLosses: 2,
    });
    const account = await fixture.createAccount({ platform: 'sandbox', label: 'm1', tags: ['metrics-pool'] });
    await worker.waitForAssign(account.id);

    const online = await scrape();
    expect(online.value('fleet_workers', { status: 'online' })).toBe(1);
    expect(online.value('fleet_worker_live_contexts', { worker: 'w1' })).toBe(3);
    expect(online.value('fleet_worker_hibernated_contexts', { worker: 'w1' })).toBe(7);
    expect(online.value('fleet_worker_profile_lock_acquisitions', { worker: 'w1' })).toBe(11);
    expect(online.value('fleet_worker_profile_lock_losses', { worker: 'w1' })).toBe(2);
    expect(online.value('fleet_worker_memory_bytes', { worker: 'w1', process: 'browsers' })).toBe(70_000);
    expect(online.value('fleet_worker_heartbeat_age_seconds', { worker: 'w1' })).toBeLessThan(5);
    // register → heartbeat → heartbeat: two gaps observed.
    expect(online.histogram('fleet_worker_heartbeat_gap_seconds').count).toBe(2);
    expect(online.value('fleet_accounts', { state: 'total' })).toBe(1);

    // A job that runs and succeeds: its duration and queue wait are observed.
    const crawl = await fixture.createJob({ type: 'crawl', accountId: account.id });
    const run = await worker.waitForRun(0);
    await sleep(120);
    await worker.progress(run, 50, 'reading');
    expect((await worker.succeed(run, { comments: [] })).ok).toBe(true);
    await fixture.waitForJob(crawl.id, 'succeeded', (j) => j.status === 'succeeded');

    // A job whose first attempt loses its profile lock, then is retried; its retry reports under a
    // stale epoch once (refused and recorded) before it succeeds.
    const login = await fixture.createJob({ type: 'login', accountId: account.id });
    const first = await worker.waitForRun(1);
    expect((await worker.fail(first, { code: 'LOCK_LOST', message: 'lost the profile lock', retryable: true })).ok).toBe(true);
    const retry = await worker.waitForRun(2);
    expect(retry.attempt).toBe(2);
    const stale = await worker.progress({ ...retry, epoch: retry.epoch + 7 }, 10, 'open');
    expect(stale).toMatchObject({ ok: false, error: { code: 'STALE_EPOCH' } });
    await worker.succeed(retry, { loggedIn: true });
    await fixture.waitForJob(login.id, 'succeeded', (j) => j.status === 'succeeded');

    const after = await scrape();
    expect(after.value('fleet_jobs', { type: 'crawl', status: 'succeeded' })).toBe(1);
    expect(after.value('fleet_jobs', { type: 'crawl', status: 'queued' })).toBe(0);
    expect(after.value('fleet_jobs', { type: 'login', status: 'succeeded' })).toBe(1);
    const duration = after.histogram('fleet_job_duration_seconds', { type: 'crawl', status: 'succeeded' });
    expect(duration.count).toBe(1);
    expect(duration.sum).toBeGreaterThanOrEqual(0.1);
    expect(after.histogram('fleet_job_queue_wait_seconds', { type: 'crawl' }).count).toBe(1);
    expect(after.histogram('fleet_job_queue_wait_seconds', { type: 'login' }).count).toBe(1);
    expect(after.value('fleet_job_attempt_failures_total', { type: 'login', code: 'LOCK_LOST' })).toBe(1);
    expect(after.value('fleet_profile_lock_losses_total')).toBe(1);
    expect(after.value('fleet_refused_reports_total', { event: 'worker:job:progress', code: 'STALE_EPOCH' })).toBe(1);

    // While the account is busy, its next job waits in the queue, and the oldest wait grows.
    await fixture.createJob({ type: 'crawl', accountId: account.id });
    const busyRun = await worker.waitForRun(3);
    const waiting = await fixture.createJob({ type: 'crawl', accountId: account.id });
    await sleep(300);
    const queued = await scrape();
    expect(queued.value('fleet_jobs', { type: 'crawl', status: 'queued' })).toBe(1);
    expect(queued.value('fleet_queue_oldest_wait_seconds')).toBeGreaterThanOrEqual(0.25);
    expect(queued.value('fleet_accounts', { state: 'busy' })).toBe(1);
    await worker.succeed(busyRun);
    await worker.succeed(await worker.waitForRun(4));
    await fixture.waitForJob(waiting.id, 'succeeded', (j) => j.status === 'succeeded');
    const drained = await scrape();
    expect(drained.value('fleet_queue_oldest_wait_seconds')).toBe(0);
    expect(drained.histogram('fleet_job_queue_wait_seconds', { type: 'crawl' }).sum).toBeGreaterThanOrEqual(0.25);

    worker.close();
    const gone = await (async () => {
      for (let i = 0; i < 100; i += 1) {
        const s = await scrape();
        if (s.value('fleet_workers', { status: 'offline' }) === 1) return s;
        await sleep(50);
      }
      throw new Error('the worker never showed as offline');
    })();
    expect(gone.value('fleet_workers', { status: 'online' })).toBe(0);
    expect(gone.value('fleet_worker_live_contexts', { worker: 'w1' })).toBeUndefined();
  });
});
