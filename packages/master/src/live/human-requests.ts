import { ClientEvent, FleetError, WorkerEvent, onValidated, type Logger, type WorkerHumanNeeded } from '@fleetwright/shared';
import type { FleetStore } from '../store/fleet-store.js';
import type { ClientNamespace, WorkerNamespace } from './live-sockets.js';

/** Job timeline kind of a job asking for a person. */
export const HUMAN_NEEDED_EVENT_KIND = 'human_needed';

/** A job's `askHuman`: recorded on its timeline and announced to every dashboard and upstream client. */
export function relayHumanRequests(store: FleetStore, clients: ClientNamespace, workers: WorkerNamespace, logger: Logger): void {
  workers.on('connection', (socket) => {
    onValidated(socket, WorkerEvent.HumanNeeded, (report) => humanNeeded(store, clients, socket.data.workerId, report), logger);
  });
}

function humanNeeded(store: FleetStore, clients: ClientNamespace, workerId: string, report: WorkerHumanNeeded): void {
  const job = store.jobs.require(report.jobId);
  if (job.worker_id !== workerId || job.account_id !== report.accountId || job.epoch !== report.epoch || job.attempt !== report.attempt)
    throw new FleetError('NOT_OWNER', `job ${report.jobId} (attempt ${report.attempt}) is not this worker's`, { field: 'jobId' });
  store.jobs.addEvent(report.jobId, HUMAN_NEEDED_EVENT_KIND, { reason: report.reason, timeoutMs: report.timeoutMs });
  const expiresAt = new Date(Date.now() + report.timeoutMs).toISOString();
  clients.emit(ClientEvent.HumanNeeded, { jobId: report.jobId, accountId: report.accountId, reason: report.reason, expiresAt });
}
