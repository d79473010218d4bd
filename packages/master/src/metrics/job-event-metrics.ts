import { Counter, Histogram, type Registry } from 'prom-client';
import type { JobView, WorkerStatusEvent } from '@fleetwright/shared';
import type { FleetEvents } from '../events/fleet-events.js';
import { MetricName } from './metric-names.js';

/** Seconds: from a quick crawl to a login that waits minutes for a QR scan. */
const DURATION_BUCKETS = [0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800];
const WAIT_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 900];
/** Around the default 10 s interval, so a late heartbeat shows in its own bucket. */
const HEARTBEAT_GAP_BUCKETS = [1, 2, 5, 10, 11, 12, 15, 20, 30, 60];
/** How many finished attempts are remembered to count each failure once. */
const SEEN_ATTEMPTS = 10_000;

/**
 * Metrics observed from the scheduler's events as they happen: job durations and queue waits
 * when a job finishes, failed attempts (retried or not) by code, and heartbeat gaps. They count
 * from this master's start, as Prometheus counters and histograms do.
 */
export class JobEventMetrics {
  private readonly duration: Histogram<'type' | 'status'>;
  private readonly queueWait: Histogram<'type'>;
  private readonly attemptFailures: Counter<'type' | 'code'>;
  private readonly lockLosses: Counter;
  private readonly heartbeatGap: Histogram;
  private readonly countedAttempts = new Set<string>();
  /** Per worker: its last heartbeat time, dropped when it goes offline (a reconnect is not a gap). */
  private readonly lastHeartbeat = new Map<string, string>();
  private readonly onDone = (job: JobView): void => this.jobDone(job);
  private readonly onChanged = (job: JobView): void => this.jobChanged(job);
  private readonly onWorker = (worker: WorkerStatusEvent): void => this.workerStatus(worker);

  constructor(
    registry: Registry,
    private readonly events: FleetEvents,
  ) {
    const registers = [registry];
    this.duration = new Histogram({
      name: MetricName.JobDuration,
      help: 'Run time of finished jobs (startedAt → finishedAt of the last attempt), by type and outcome',
      labelNames: ['type', 'status'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.queueWait = new Histogram({
      name: MetricName.JobQueueWait,
      help: 'How long a job waited for a worker once it could run (max(createdAt, runAfter) → startedAt), observed when it finishes',
      labelNames: ['type'],
      buckets: WAIT_BUCKETS,
      registers,
    });
    this.attemptFailures = new Counter({
      name: MetricName.JobAttemptFailures,
      help: 'Job attempts that ended in an error, retried or not, by type and error code',
      labelNames: ['type', 'code'],
      registers,
    });
    this.lockLosses = new Counter({
      name: MetricName.ProfileLockLosses,
      help: "Job attempts aborted because their worker lost the account's profile lock (LOCK_LOST), as reported to the master",
      registers,
    });
    this.heartbeatGap = new Histogram({
      name: MetricName.WorkerHeartbeatGap,
      help: 'Time between consecutive heartbeats of a worker: the interval plus its lag',
      buckets: HEARTBEAT_GAP_BUCKETS,
      registers,
    });
    events.on('job:done', this.onDone);
    events.on('job:changed', this.onChanged);
    events.on('worker:status', this.onWorker);
  }

  close(): void {
    this.events.off('job:done', this.onDone);
    this.events.off('job:changed', this.onChanged);
    this.events.off('worker:status', this.onWorker);
  }

  private jobDone(job: JobView): void {
    if (!job.startedAt || !job.finishedAt) return; // cancelled or failed before it ever ran
    const started = Date.parse(job.startedAt);
    this.duration.observe({ type: job.type, status: job.status }, Math.max(0, Date.parse(job.finishedAt) - started) / 1000);
    const runnableSince = Math.max(Date.parse(job.createdAt), Date.parse(job.runAfter));
    this.queueWait.observe({ type: job.type }, Math.max(0, started - runnableSince) / 1000);
  }

  /** A retry comes back `queued` with the previous attempt's error; a final failure is `failed`. */
  private jobChanged(job: JobView): void {
    if (!job.error) return;
    const failedAttempt = job.status === 'failed' ? job.attempt : job.status === 'queued' && job.attempt > 1 ? job.attempt - 1 : undefined;
    if (failedAttempt === undefined) return;
    const key = `${job.id}#${failedAttempt}`;
    if (this.countedAttempts.has(key)) return;
    this.countedAttempts.add(key);
    // A Set iterates in insertion order: drop the oldest so memory stays bounded.
    if (this.countedAttempts.size > SEEN_ATTEMPTS) this.countedAttempts.delete(this.countedAttempts.values().next().value!);
    this.attemptFailures.inc({ type: job.type, code: job.error.code });
    if (job.error.code === 'LOCK_LOST') this.lockLosses.inc();
  }

  private workerStatus(worker: WorkerStatusEvent): void {
    if (worker.status === 'offline' || !worker.lastHeartbeatAt) {
      this.lastHeartbeat.delete(worker.id);
      return;
    }
    const previous = this.lastHeartbeat.get(worker.id);
    if (previous === worker.lastHeartbeatAt) return; // a status change (drain), not a heartbeat
    this.lastHeartbeat.set(worker.id, worker.lastHeartbeatAt);
    if (previous) this.heartbeatGap.observe(Math.max(0, Date.parse(worker.lastHeartbeatAt) - Date.parse(previous)) / 1000);
  }
}
