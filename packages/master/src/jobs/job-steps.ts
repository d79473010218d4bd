import type { AccountStep } from '@fleetwright/shared';
import type { WorkersBackend } from '../store/backend/workers-backend.js';

/**
 * The account status a job type moves (a login job → the account's login step), as the platform's
 * plugin declares it (`accountStep`, sent in the workers' capabilities). None when no worker of
 * the platform declares one.
 */
export async function stepOfJobType(workers: Pick<WorkersBackend, 'capabilitiesFor'>, platform: string | null, type: string): Promise<AccountStep | undefined> {
  if (platform === null) return undefined;
  for (const capability of await workers.capabilitiesFor(platform)) {
    const step = capability.accountSteps?.[type];
    if (step) return step;
  }
  return undefined;
}
