import type { AccountStep } from '@fleetwright/shared';

/** Which account status field a job type writes (login → login_status, ...). */
const STEP_BY_JOB_TYPE: Record<string, AccountStep> = {
  login: 'login',
  invite: 'invite',
  accept_invite: 'team_join',
};

export function stepOfJobType(type: string): AccountStep | undefined {
  return STEP_BY_JOB_TYPE[type];
}
