import { Counter, Gauge, type Registry } from 'prom-client';
import { JOB_STATUSES, WORKER_STATUSES, type Health, type WorkerStats } from '@fleetwright/shared';
import type { FleetBackend } from '../store/backend/fleet-backend.js';
import type { Scheduler } from '../scheduler/scheduler.js';
import { computeHealth } from '../http/health.js';
import { MetricName } from './metric-names.js';
import type { JobCountFigures } from './job-count-figures.js';

/**
 * Metrics read from the store at each scrape: what the fleet holds now (jobs by type and status,
 * workers, accounts, pools), the workers' last heartbeat stats, and the refused reports table.
 * Reading at scrape time keeps them true across master restarts. A scrape needs no token, so each
 * read is a narrow one from an index (what is in flight, the fleet's workers and accounts, what is
 * new): none reads the job history (see {@link JobCountFigures}).
 */
export function registerStoreMetrics(registry: Registry, store: FleetBackend, scheduler: Scheduler, jobCounts: JobCountFigures): { scrapeStarts(): void } {
  const registers = [registry];
  // Two gauges read the health figures: one reading serves both within a scrape.
  let healthRead: Promise<Health> | undefined;
  const health = (): Promise<Health> => (healthRead ??= computeHealth(store, scheduler));
  new Gauge({
    name: MetricName.Jobs,
    help: 'Jobs in the store, by type and status (finished ones until retention purges them)',
    labelNames: ['type', 'status'],
    registers,
    async collect() {
      const counts = await jobCounts.read();
      this.reset();
      // Every status of every known type, so a rate or an alert never sees a series vanish at zero.
      for (const [type, byStatus] of counts) for (const status of JOB_STATUSES) this.set({ type, status }, byStatus.get(status) ?? 0);
    },
  });
  new Gauge({
    name: MetricName.QueueOldestWait,
    help: 'How long the oldest runnable queued job has waited for a worker (0 when none waits)',
    registers,
    async collect() {
      const now = Date.now();
      const since = await store.jobs.oldestRunnableSince(now);
      this.set(since === undefined ? 0 : Math.max(0, now - since) / 1000);
    },
  });
  new Gauge({
    name: MetricName.Workers,
    help: 'Workers known to the master, by status',
    labelNames: ['status'],
    registers,
    async collect() {
      const counts = await store.workers.countByStatus();
      for (const status of WORKER_STATUSES) this.set({ status }, counts[status]);
    },
  });
  registerWorkerStatMetrics(registers, store);
  new Gauge({
    name: MetricName.HeartbeatInterval,
    help: 'The heartbeat interval workers are told to keep; a worker is offline after 3 missed ones',
    registers,
    collect() {
      this.set(scheduler.options.heartbeatIntervalMs / 1000);
    },
  });
  new Gauge({
    name: MetricName.Accounts,
    help: 'Accounts: total, owned by a worker, live (owner acknowledged the assignment), busy (a job in flight)',
    labelNames: ['state'],
    registers,
    async collect() {
      const { accounts } = await health();
      const owned = await store.accounts.countOwned();
      this.set({ state: 'total' }, accounts.total);
      this.set({ state: 'owned' }, owned);
      this.set({ state: 'live' }, accounts.live);
      this.set({ state: 'busy' }, accounts.busy);
    },
  });
  new Gauge({
    name: MetricName.PoolCapacity,
    help: 'Idle live accounts per pool (tag): how many pool jobs could start now',
    labelNames: ['pool'],
    registers,
    async collect() {
      const { pools } = await health();
      this.reset();
      for (const [pool, { capacity }] of Object.entries(pools)) this.set({ pool }, capacity);
    },
  });
  new Counter({
    name: MetricName.RefusedReports,
    help: 'Worker reports the master refused and recorded, by event and code (STALE_EPOCH: made under an old assignment)',
    labelNames: ['event', 'code'],
    registers,
    async collect() {
      // Running totals kept as reports are recorded: a scrape reads a few rows, and the counter
      // never falls when old reports are purged.
      const totals = await store.refusedReportTotals();
      this.reset();
      for (const r of totals) this.inc({ event: r.event, code: r.code }, r.n);
    },
  });
  return {
    scrapeStarts: () => {
      healthRead = undefined;
    },
  };
}

/** Per worker, from its last heartbeat; offline workers are left out (their numbers are history). */
function registerWorkerStatMetrics(registers: Registry[], store: FleetBackend): void {
  const connected = async (): Promise<{ id: string; lastHeartbeatAt: number | null; stats: WorkerStats | null }[]> =>
    (await store.workers.all())
      .filter((w) => w.status !== 'offline')
      .map((w) => ({ id: w.id, lastHeartbeatAt: w.last_heartbeat_at, stats: w.stats ? (JSON.parse(w.stats) as WorkerStats) : null }));
  const perWorker = (name: string, help: string, value: (stats: WorkerStats) => number): void => {
    new Gauge({
      name,
      help,
      labelNames: ['worker'],
      registers,
      async collect() {
        const workers = await connected();
        this.reset();
        for (const w of workers) if (w.stats) this.set({ worker: w.id }, value(w.stats));
      },
    });
  };
  perWorker(MetricName.WorkerLiveContexts, 'Open browser contexts on the worker (from its last heartbeat)', (s) => s.liveContexts);
  perWorker(
    MetricName.WorkerHibernatedContexts,
    'Accounts hibernated on the worker: context closed for room, state kept (from its last heartbeat)',
    (s) => s.hibernatedContexts ?? 0,
  );
  perWorker(
    MetricName.WorkerLockAcquisitions,
    'Redis profile locks the worker took since it started (from its last heartbeat; 0 without Redis)',
    (s) => s.lockAcquisitions ?? 0,
  );
  perWorker(MetricName.WorkerLockLosses, 'Redis profile locks the worker lost since it started (from its last heartbeat)', (s) => s.lockLosses ?? 0);
  perWorker(MetricName.WorkerRunningJobs, 'Jobs running on the worker (from its last heartbeat)', (s) => s.runningJobs);
  perWorker(MetricName.WorkerCpu, "The worker process's CPU use, % of one core (from its last heartbeat)", (s) => s.cpuPercent);
  new Gauge({
    name: MetricName.WorkerMemory,
    help: 'Resident memory of the worker process and of the browsers it launched (from its last heartbeat)',
    labelNames: ['worker', 'process'],
    registers,
    async collect() {
      const workers = await connected();
      this.reset();
      for (const w of workers) {
        if (!w.stats) continue;
        this.set({ worker: w.id, process: 'worker' }, w.stats.rssBytes);
        this.set({ worker: w.id, process: 'browsers' }, w.stats.browserRssBytes);
      }
    },
  });
  new Gauge({
    name: MetricName.WorkerHeartbeatAge,
    help: 'Seconds since the worker last heartbeated (alert well before 3 intervals: it is then marked offline)',
    labelNames: ['worker'],
    registers,
    async collect() {
      const workers = await connected();
      this.reset();
      const now = Date.now();
      for (const w of workers) if (w.lastHeartbeatAt !== null) this.set({ worker: w.id }, Math.max(0, now - w.lastHeartbeatAt) / 1000);
    },
  });
}
