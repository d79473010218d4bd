import type { FleetError } from '@fleetwright/shared';

/** A held profile lease: the fencing token its requests carry, and how to give it back. */
export interface HeldLease {
  readonly fenceToken: number;
  release(): Promise<void>;
}

/**
 * Who grants a profile's exclusivity while its context is open: Redis locks across hosts
 * (`ProfileLocks`); without one, the master's assignment epoch is the lease and its token.
 */
export interface LeaseProvider {
  acquire(accountId: string, onLost: (error: FleetError) => void, signal?: AbortSignal): Promise<HeldLease>;
}
