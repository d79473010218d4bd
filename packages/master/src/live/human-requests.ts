import {
  ClientEvent,
  FleetError,
  WorkerEvent,
  onValidated,
  type HumanNeededEvent,
  type Logger,
  type WorkerHumanNeeded,
  type WorkerLiveState,
} from '@fleetwright/shared';
import type { FleetBackend } from '../store/backend/fleet-backend.js';
import type { ClientNamespace, WorkerNamespace } from './live-sockets.js';
import type { Scheduler } from '../scheduler/scheduler.js';

/** Job timeline kind of a job asking for a person. */
export const HUMAN_NEEDED_EVENT_KIND = 'human_needed';

/**
 * Jobs asking for a person (`askHuman`): each request is recorded on its job's timeline and
 * announced to every dashboard and upstream client, and a client that connects while it is pending
 * (a dashboard opened later, or one that reconnected to a restarted master) is told at once. A
 * request is pending until its job ends, a person hands the account back, or it expires.
 */
export class HumanRequests {
  private readonly pending = new Map<string, HumanNeededEvent>();
  private clients: ClientNamespace | undefined;

  constructor(
    private readonly store: FleetBackend,
    private readonly decisions: Pick<Scheduler, 'decide'>,
    private readonly logger: Logger,
  ) {}

  attach(clients: ClientNamespace, workers: WorkerNamespace): void {
    this.clients = clients;
    clients.on('connection', (socket) => {
      const now = Date.now();
      for (const request of this.pending.values()) if (Date.parse(request.expiresAt) > now) socket.emit(ClientEvent.HumanNeeded, request);
    });
    // A decision, so it lands after the reports the worker sent before it (the step that says so).
    workers.on('connection', (socket) => {
      onValidated(socket, WorkerEvent.HumanNeeded, (report) => this.decisions.decide(() => this.asked(socket.data.workerId, report)), this.logger);
    });
  }

  /**
   * Requests a worker still waits on, learnt back after this master restarted: announced again (not
   * put on the timeline again). A request whose job is no longer that worker's attempt is ignored.
   */
  async learnt(workerId: string, waiting: WorkerLiveState['waiting']): Promise<void> {
    if (waiting.length === 0) return;
    const active = new Map((await this.store.jobs.activeForWorker(workerId)).map((job) => [job.id, job]));
    for (const { epoch, attempt, ...request } of waiting) {
      const job = active.get(request.jobId);
      if (job?.status !== 'running' || job.account_id !== request.accountId || job.epoch !== epoch || job.attempt !== attempt) continue;
      this.announce(request);
    }
  }

  jobEnded(jobId: string): void {
    this.pending.delete(jobId);
  }

  /** A person handed the account back: its job's request is answered. */
  handedBack(accountId: string): void {
    for (const [jobId, request] of this.pending) if (request.accountId === accountId) this.pending.delete(jobId);
  }

  private async asked(workerId: string, report: WorkerHumanNeeded): Promise<void> {
    const job = await this.store.jobs.require(report.jobId);
    if (job.worker_id !== workerId || job.account_id !== report.accountId || job.epoch !== report.epoch || job.attempt !== report.attempt)
      throw new FleetError('NOT_OWNER', `job ${report.jobId} (attempt ${report.attempt}) is not this worker's`, { field: 'jobId' });
    await this.store.jobs.addEvent(report.jobId, HUMAN_NEEDED_EVENT_KIND, { reason: report.reason, timeoutMs: report.timeoutMs });
    this.announce({
      jobId: report.jobId,
      accountId: report.accountId,
      reason: report.reason,
      expiresAt: new Date(Date.now() + report.timeoutMs).toISOString(),
    });
  }

  private announce(request: HumanNeededEvent): void {
    this.pending.set(request.jobId, request);
    this.clients?.emit(ClientEvent.HumanNeeded, request);
  }
}
