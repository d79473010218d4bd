import type { CreateMonitorBody, Logger, MonitorView } from '@fleetwright/shared';
import type { FleetBackend } from '../store/backend/fleet-backend.js';
import type { MonitorsBackend } from '../store/backend/monitors-backend.js';
import type { MonitorRow } from '../store/backend/records.js';
import type { JobCommands } from '../jobs/job-commands.js';
import type { Scheduler } from '../scheduler/scheduler.js';

const FINISHED = new Set(['succeeded', 'failed', 'cancelled']);

/**
 * Recurring jobs per account (a crawl every 15–30 s by default, jittered so a fleet's monitors do
 * not fire together). A monitor's next run is counted from the end of its previous one, so it
 * never overlaps itself; paused monitors create nothing.
 */
export class Monitors {
  readonly store: MonitorsBackend;
  private readonly random: () => number;

  constructor(
    private readonly fleet: FleetBackend,
    private readonly scheduler: Scheduler,
    private readonly commands: JobCommands,
    private readonly logger: Logger,
    random: () => number = Math.random,
  ) {
    this.store = fleet.monitors;
    this.random = random;
    // In the decision that ended the job: its monitor's next run is counted from now.
    scheduler.onJobChange((job) => (job.monitorId && FINISHED.has(job.status) ? this.jobEnded(job.monitorId) : undefined));
    scheduler.on('tick', () => {
      scheduler.decide(() => this.runDue()).catch((error: unknown) => this.logger.warn('monitors could not run', { error }));
    });
  }

  /** The monitor's job ended (in that decision): its next run is counted from now. */
  private async jobEnded(monitorId: string): Promise<void> {
    const monitor = await this.store.row(monitorId);
    if (monitor) await this.store.scheduleNext(monitor.id, Date.now() + this.interval(monitor.min_interval_ms, monitor.max_interval_ms));
  }

  /** A decision of its own. */
  create(body: CreateMonitorBody): Promise<MonitorView> {
    return this.scheduler.decide(() => this.createNow(body));
  }

  private async createNow(body: CreateMonitorBody): Promise<MonitorView> {
    const account = await this.fleet.accounts.require(body.accountId);
    const type = body.type ?? 'crawl';
    // The same checks a one-off job gets: a bad type or payload is refused now, not every 20 s.
    this.commands.validate(account.platform, type, body.payload ?? {});
    const row = await this.store.create({
      accountId: account.id,
      type,
      payload: body.payload ?? {},
      minIntervalMs: body.minIntervalMs ?? 15_000,
      maxIntervalMs: body.maxIntervalMs ?? 30_000,
    });
    this.scheduler.schedule();
    return this.store.view(row);
  }

  /**
   * A run a limit (or a pause) would hold is put off until the hold ends, plus the monitor's own
   * jitter, so monitors held by one limit do not all fire the moment it lets go.
   */
  private async waitsForLimit(monitor: MonitorRow): Promise<boolean> {
    const account = await this.fleet.accounts.ownershipOf(monitor.account_id);
    const now = Date.now();
    const hold = account && this.scheduler.limits.check(monitor.type, account, now);
    if (!hold) return false;
    const jitter = this.interval(0, monitor.max_interval_ms - monitor.min_interval_ms);
    await this.store.scheduleNext(monitor.id, (hold.until ?? now + monitor.min_interval_ms) + jitter);
    return true;
  }

  private interval(min: number, max: number): number {
    return Math.round(min + this.random() * (max - min));
  }

  private async runDue(): Promise<void> {
    for (const monitor of await this.store.due(Date.now())) {
      if (await this.waitsForLimit(monitor)) continue;
      try {
        // A savepoint each: a monitor whose job is refused leaves nothing half-written.
        const { job } = await this.fleet.transaction(() =>
          this.commands.create(
            { type: monitor.type, accountId: monitor.account_id, payload: JSON.parse(monitor.payload) as Record<string, unknown> },
            { monitorId: monitor.id },
          ),
        );
        // `due()` skips a monitor while its last job is unfinished; the job's end sets the next run.
        await this.store.started(monitor.id, job.id);
      } catch (error) {
        this.logger.warn('monitor could not create its job; retrying later', { monitorId: monitor.id, error });
        await this.store.scheduleNext(monitor.id, Date.now() + monitor.max_interval_ms);
      }
    }
  }
}
