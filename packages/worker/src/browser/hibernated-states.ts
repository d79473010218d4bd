import type { StorageState } from '@fleetwright/shared';

/** A state taken when a context was hibernated, and the version it was sent to the master as. */
export interface HibernatedState {
  state: StorageState;
  version: number;
}

/**
 * States taken when contexts were hibernated: newer than what the caller holds, so a reopen
 * restores them, until the master delivers one at least as new ({@link masterStateAt}).
 */
export class HibernatedStates {
  private readonly states = new Map<string, HibernatedState>();

  get size(): number {
    return this.states.size;
  }

  get(accountId: string): HibernatedState | undefined {
    return this.states.get(accountId);
  }

  set(accountId: string, hibernated: HibernatedState): void {
    this.states.set(accountId, hibernated);
  }

  delete(accountId: string): void {
    this.states.delete(accountId);
  }

  /**
   * The master delivered the account's state at `version` (an assignment): a cached state that is
   * not newer goes, so the next open restores the master's. Compared with the version the master
   * sent, not the worker's own counter, which never goes below what it already sent.
   */
  masterStateAt(accountId: string, version: number): void {
    const cached = this.states.get(accountId);
    if (cached && cached.version <= version) this.states.delete(accountId);
  }
}
