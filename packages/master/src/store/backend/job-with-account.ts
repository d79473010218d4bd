import { FleetError } from '@fleetwright/shared';
import type { AccountOwnership, JobRow } from './records.js';

/**
 * The columns of a job (`j`) with the ownership of an account (`a`) read beside it, under names a
 * job's own columns do not use: a worker's report names both, and one read checks both.
 */
export const JOB_WITH_ACCOUNT_COLUMNS =
  'j.*, a.id AS reported_account_id, a.platform AS reported_account_platform, a.owner_worker_id AS reported_account_owner, a.epoch AS reported_account_epoch';

/** A row of JOB_WITH_ACCOUNT_COLUMNS. */
export type JobWithAccountRow = JobRow & {
  reported_account_id: string | null;
  reported_account_platform: string | null;
  reported_account_owner: string | null;
  reported_account_epoch: number | null;
};

/** The job and the account's ownership (undefined when no such account), or JOB_NOT_FOUND. */
export function jobWithAccount(row: JobWithAccountRow | undefined, jobId: string): { job: JobRow; account: AccountOwnership | undefined } {
  if (!row) throw new FleetError('JOB_NOT_FOUND', `no job ${jobId}`, { field: 'jobId' });
  const { reported_account_id: id, reported_account_platform: platform, reported_account_owner: owner, reported_account_epoch: epoch, ...job } = row;
  return { job, account: id === null ? undefined : { id, platform: platform!, owner_worker_id: owner, epoch: epoch! } };
}
