import { parseProxyUrl, registerSecret, type Credentials, type TaskAssign } from '@fleetwright/shared';
import type { AccountProfile } from '../browser/account-profile.js';

export interface AssignedAccount extends AccountProfile {
  platform: string;
  credentials: Credentials | null;
}

/** The accounts the master assigned to this worker, at their current epochs. */
export class AccountRegistry {
  private readonly accounts = new Map<string, AssignedAccount>();

  assign(task: TaskAssign): AssignedAccount {
    // From now on these never reach a log or run.log, whatever a plugin writes.
    registerSecret(task.credentials?.password);
    if (task.proxy) {
      const proxy = parseProxyUrl(task.proxy);
      if (typeof proxy !== 'string') registerSecret(proxy.password);
    }
    const previous = this.accounts.get(task.accountId);
    const account: AssignedAccount = {
      accountId: task.accountId,
      platform: task.platform,
      epoch: task.epoch,
      credentials: task.credentials,
      proxy: task.proxy,
      deviceProfile: task.deviceProfile,
      storageState: task.storageState,
      storageStateVersion: Math.max(task.storageStateVersion, previous?.storageStateVersion ?? 0),
      // Without Redis the assignment epoch is the master-granted fencing token: it only grows.
      fenceToken: task.epoch,
    };
    this.accounts.set(task.accountId, account);
    return account;
  }

  get(accountId: string): AssignedAccount | undefined {
    return this.accounts.get(accountId);
  }

  revoke(accountId: string): void {
    this.accounts.delete(accountId);
  }

  ids(): string[] {
    return [...this.accounts.keys()];
  }
}
