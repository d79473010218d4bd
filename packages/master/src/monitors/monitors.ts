import type { CreateMonitorBody, Logger, MonitorView } from '@fleetwright/shared';
import type { FleetStore } from '../store/fleet-store.js';
import type { MonitorStore } from '../store/monitor-store.js';
import type { JobCommands } from '../jobs/job-commands.js';
import type { Scheduler } from '../scheduler/scheduler.js';
import type { FleetEvents } from '../events/fleet-events.js';

/**
 * Recurring jobs per account (a crawl every 15–30 s by default, jittered so a fleet's monitors do
 * not fire together). A monitor's next run is counted from the end of its previous one, so it
 * never overlaps itself; paused monitors create nothing.
 */
export class Monitors {
  readonly store: MonitorStore;
  private readonly random: () => number;

  constructor(
    private readonly fleet: FleetStore,
    private readonly scheduler: Scheduler,
    events: FleetEvents,
    private readonly commands: JobCommands,
    private readonly logger: Logger,
    random: () => number = Math.random,
  ) {
    this.store = fleet.monitors;
    this.random = random;
    events.on('job:done', (job) => {
      if (!job.monitorId) return;
      const monitor = this.store.row(job.monitorId);
      if (monitor) this.store.scheduleNext(monitor.id, Date.now() + this.interval(monitor.min_interval_ms, monitor.max_interval_ms));
    });
    scheduler.on('tick', () => this.runDue());
  }

  create(body: CreateMonitorBody): MonitorView {
    const account = this.fleet.accounts.require(body.accountId);
    const type = body.type ?? 'crawl';
    // The same checks a one-off job gets: a bad type or payload is refused now, not every 20 s.
    this.commands.validate(account.platform, type, body.payload ?? {});
    const row = this.store.create({
      accountId: account.id,
      type,
      payload: body.payload ?? {},
      minIntervalMs: body.minIntervalMs ?? 15_000,
      maxIntervalMs: body.maxIntervalMs ?? 30_000,
    });
    this.scheduler.schedule();
    return this.store.view(row);
  }

  private interval(min: number, max: number): number {
    return Math.round(min + this.random() * (max - min));
  }

  private runDue(): void {
    for (const monitor of this.store.due(Date.now())) {
      try {
        const { job } = this.commands.create(
          { type: monitor.type, accountId: monitor.account_id, payload: JSON.parse(monitor.payload) as Record<string, unknown> },
          { monitorId: monitor.id },
        );
        // `due()` skips a monitor while its last job is unfinished; the job's end sets the next run.
        this.store.started(monitor.id, job.id);
      } catch (error) {
        this.logger.warn('monitor could not create its job; retrying later', { monitorId: monitor.id, error });
        this.store.scheduleNext(monitor.id, Date.now() + monitor.max_interval_ms);
      }
    }
  }
}
