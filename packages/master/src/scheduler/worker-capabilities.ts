import type { AccountStep, Capability } from '@fleetwright/shared';
import type { WorkersBackend } from '../store/backend/workers-backend.js';

/**
 * What the fleet's workers declare, by platform (job types, payload schemas, timeouts, the account
 * steps job types move), in memory: read on every job created and every job's start and end, and
 * changed only when a worker registers, which only the leading master takes. So the master reads
 * it from the store when it starts leading and again on each registration, in that decision.
 */
export class WorkerCapabilities {
  private byPlatform = new Map<string, Capability[]>();

  constructor(private readonly workers: Pick<WorkersBackend, 'knownPlatforms' | 'capabilitiesFor'>) {}

  /** Reads the declarations again (inside the decision that changed them, or that starts the lead). */
  async load(): Promise<void> {
    const byPlatform = new Map<string, Capability[]>();
    for (const platform of await this.workers.knownPlatforms()) byPlatform.set(platform, await this.workers.capabilitiesFor(platform));
    this.byPlatform = byPlatform;
  }

  /** The platform's declarations, one per distinct declaring worker; none when no worker declared it. */
  of(platform: string): readonly Capability[] {
    return this.byPlatform.get(platform) ?? [];
  }

  /** Every platform some worker declared. */
  platforms(): string[] {
    return [...this.byPlatform.keys()];
  }

  /**
   * The account status a job type moves (a login job → the account's login step), as the platform's
   * plugin declares it (`accountStep`). None when no worker of the platform declares one.
   */
  stepOf(platform: string | null, type: string): AccountStep | undefined {
    if (platform === null) return undefined;
    for (const capability of this.of(platform)) {
      const step = capability.accountSteps?.[type];
      if (step) return step;
    }
    return undefined;
  }
}
