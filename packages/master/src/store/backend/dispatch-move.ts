import type { DispatchMove, JobPatch } from './records.js';

/** The columns a dispatch sets, as a transition's patch. */
export function dispatchPatch(move: DispatchMove): JobPatch {
  const patch: JobPatch = { worker_id: move.workerId, epoch: move.epoch, dispatched_at: move.dispatchedAt, lease_expires_at: move.leaseExpiresAt };
  if (move.account) Object.assign(patch, { account_id: move.account.id, platform: move.account.platform });
  if (move.releasesHold) Object.assign(patch, { progress_step: 'queued', progress_message: null });
  return patch;
}

/** What a dispatch's `status` event records besides the move itself. */
export function dispatchDetail(move: DispatchMove): Record<string, unknown> {
  return { workerId: move.workerId, epoch: move.epoch };
}
