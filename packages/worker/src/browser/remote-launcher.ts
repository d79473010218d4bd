import type { StorageState } from '@fleetwright/shared';
import type { AccountProfile } from './account-profile.js';
import type { ContextLauncher, LaunchedContext } from './context-launcher.js';
import type { RemoteBrowsers } from './remote-browsers.js';
import { restoreStorageState } from './restore-storage-state.js';

/** Contexts on browsers that run elsewhere (a CDP endpoint or an HTTP launcher per profile). */
export class RemoteContextLauncher implements ContextLauncher {
  constructor(private readonly remote: RemoteBrowsers) {}

  async start(): Promise<void> {
    // Nothing of a predecessor runs here: the remote side owns its browsers.
  }

  async open(profile: AccountProfile, state: StorageState | null): Promise<LaunchedContext> {
    const remote = await this.remote.open(profile.accountId, { proxy: profile.proxy, deviceProfile: profile.deviceProfile });
    const { context } = remote;
    try {
      if (state) await restoreStorageState(context, state);
    } catch (error) {
      await remote.close().catch(() => undefined);
      throw error;
    }
    return {
      context,
      browserPid: undefined,
      sharesBrowser: false,
      needsKeepAlivePage: true,
      snapshot: async () => (await context.storageState()) as unknown as StorageState,
      close: () => remote.close(),
      // A hung remote close has nothing local to kill.
      kill: async () => undefined,
    };
  }

  close(): Promise<void> {
    return this.remote.close();
  }
}
