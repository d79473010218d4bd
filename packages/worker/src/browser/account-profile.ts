import type { DeviceProfile, StorageState } from '@fleetwright/shared';

/** What the worker knows of an assigned account: enough to open its browser profile. */
export interface AccountProfile {
  accountId: string;
  epoch: number;
  proxy: string | null;
  deviceProfile: DeviceProfile | null;
  storageState: StorageState | null;
  storageStateVersion: number;
  /** Sent on every page request as `X-Fleet-Fence`. */
  fenceToken: number;
}
