import { WorkerEvent, onValidated, type Logger, type WorkerLiveState } from '@fleetwright/shared';
import type { Scheduler } from '../scheduler/scheduler.js';
import type { FleetBackend } from '../store/backend/fleet-backend.js';
import type { HumanRequests } from './human-requests.js';
import type { WorkerNamespace } from './live-sockets.js';
import type { Takeovers } from './takeovers.js';

/**
 * Rebuilds the master's side of people in the loop from what each worker reports after it
 * registers (`worker:live:state`): the worker still holds the job, its `askHuman` and the gate,
 * so a restarted master needs no table of its own. A hold is taken back only from the account's
 * owner at its current epoch, and its job only if the account runs it there; a decision, so it
 * lands after the registration's reconciliation.
 */
export function recoverLiveState(
  store: FleetBackend,
  decisions: Pick<Scheduler, 'decide'>,
  takeovers: Takeovers,
  requests: HumanRequests,
  workers: WorkerNamespace,
  logger: Logger,
): void {
  workers.on('connection', (socket) => {
    onValidated(socket, WorkerEvent.LiveState, (state) => decisions.decide(() => recover(store, takeovers, requests, socket.data.workerId, state)), logger);
  });
}

async function recover(store: FleetBackend, takeovers: Takeovers, requests: HumanRequests, workerId: string, state: WorkerLiveState): Promise<void> {
  for (const { accountId, epoch, hold } of state.holds) {
    const account = await store.accounts.ownershipOf(accountId);
    if (account?.owner_worker_id !== workerId || account.epoch !== epoch) continue;
    // The hold's job counts only if it is the one the account runs on this worker.
    const job = hold.jobId ? await store.jobs.row(hold.jobId) : undefined;
    const runsHere = job?.account_id === accountId && job.worker_id === workerId && (job.status === 'running' || job.status === 'dispatched');
    takeovers.restore(accountId, { ...hold, jobId: runsHere ? hold.jobId : null });
  }
  await requests.learnt(workerId, state.waiting);
}
