import type { DeviceProfile, StorageState, TaskAssign } from '@fleetwright/shared';
import type { AccountProfile } from '../../dist/browser/account-profile.js';

/** What the browser manager needs to open an account's profile. */
export function accountProfile(accountId: string, overrides: Partial<AccountProfile> = {}): AccountProfile {
  return {
    accountId,
    epoch: 1,
    proxy: null,
    deviceProfile: null as DeviceProfile | null,
    storageState: null as StorageState | null,
    storageStateVersion: 0,
    fenceToken: 1,
    ...overrides,
  };
}

/** A master assignment of an account to this worker. */
export function taskAssign(accountId: string, overrides: Partial<TaskAssign> = {}): TaskAssign {
  return {
    accountId,
    platform: 'sandbox',
    epoch: 1,
    credentials: null,
    proxy: null,
    deviceProfile: null,
    storageState: null,
    storageStateVersion: 0,
    ...overrides,
  };
}
