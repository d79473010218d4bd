import { ClientEvent, FleetError, WorkerEvent, onValidated, type Logger, type WorkerHumanNeeded } from '@fleetwright/shared';
import type { FleetBackend } from '../store/backend/fleet-backend.js';
import type { ClientNamespace, WorkerNamespace } from './live-sockets.js';
import type { Scheduler } from '../scheduler/scheduler.js';

/** Job timeline kind of a job asking for a person. */
export const HUMAN_NEEDED_EVENT_KIND = 'human_needed';

/**
 * A job's `askHuman`: recorded on its timeline and announced to every dashboard and upstream client.
 * A decision, so it lands after the reports the worker sent before it (the step that says so).
 */
export function relayHumanRequests(
  store: FleetBackend,
  decisions: Pick<Scheduler, 'decide'>,
  clients: ClientNamespace,
  workers: WorkerNamespace,
  logger: Logger,
): void {
  workers.on('connection', (socket) => {
    onValidated(socket, WorkerEvent.HumanNeeded, (report) => decisions.decide(() => humanNeeded(store, clients, socket.data.workerId, report)), logger);
  });
}

async function humanNeeded(store: FleetBackend, clients: ClientNamespace, workerId: string, report: WorkerHumanNeeded): Promise<void> {
  const job = await store.jobs.require(report.jobId);
  if (job.worker_id !== workerId || job.account_id !== report.accountId || job.epoch !== report.epoch || job.attempt !== report.attempt)
    throw new FleetError('NOT_OWNER', `job ${report.jobId} (attempt ${report.attempt}) is not this worker's`, { field: 'jobId' });
  await store.jobs.addEvent(report.jobId, HUMAN_NEEDED_EVENT_KIND, { reason: report.reason, timeoutMs: report.timeoutMs });
  const expiresAt = new Date(Date.now() + report.timeoutMs).toISOString();
  clients.emit(ClientEvent.HumanNeeded, { jobId: report.jobId, accountId: report.accountId, reason: report.reason, expiresAt });
}
