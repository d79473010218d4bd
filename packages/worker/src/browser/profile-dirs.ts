import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '@fleetwright/shared';
import { profilesRootOf } from './persistent-launcher.js';
import { profileIdsIn, removeProfileDir } from './profile-reaper.js';

/**
 * The accounts' profile directories on this worker (`<dataDir>/profiles/<accountId>`): a cache of
 * the master's snapshot in persistent mode, which goes when the account leaves the worker.
 */
export class ProfileDirs {
  private readonly root: string;

  constructor(
    dataDir: string,
    private readonly logger: Logger,
  ) {
    this.root = profilesRootOf(dataDir);
  }

  of(accountId: string): string {
    return path.join(this.root, accountId);
  }

  /** A browser has run on it before (Chromium's own profile data is there). */
  isWarm(accountId: string): boolean {
    return existsSync(path.join(this.of(accountId), 'Default'));
  }

  /** Deletes the account's directory; a failure is logged, not thrown. */
  async remove(accountId: string): Promise<void> {
    await removeProfileDir(this.of(accountId)).catch((error: unknown) => this.logger.warn('could not delete a profile directory', { accountId, error }));
  }

  /**
   * Deletes the directories of accounts not in `keep` and not `busy` (a context open, opening or
   * closing); `forget` runs for each before its directory goes. Returns the accounts whose directories went.
   */
  async prune(keep: ReadonlySet<string>, busy: (accountId: string) => boolean, forget: (accountId: string) => void): Promise<string[]> {
    const pruned: string[] = [];
    for (const id of profileIdsIn(this.root)) {
      if (keep.has(id) || busy(id)) continue;
      forget(id);
      await this.remove(id);
      pruned.push(id);
    }
    if (pruned.length > 0) this.logger.info('deleted the profiles of accounts this worker no longer holds', { accounts: pruned.length });
    return pruned;
  }
}
