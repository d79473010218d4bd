import { rmSync } from 'node:fs';
import type { Logger } from '@fleetwright/shared';
import type { FleetBackend } from '../store/backend/fleet-backend.js';
import type { Scheduler } from '../scheduler/scheduler.js';

export interface RetentionOptions {
  /** Finished jobs older than this go, with their events and artifacts. @defaultValue 7 days */
  retentionMs?: number;
  /** How often to look. @defaultValue 10 minutes */
  checkEveryMs?: number;
}

/** Purges finished jobs (and their events, artifacts and artifact files) and refused reports past the retention. */
export class Retention {
  private lastRunAt = 0;
  readonly retentionMs: number;
  private readonly checkEveryMs: number;

  constructor(
    private readonly store: FleetBackend,
    private readonly scheduler: Scheduler,
    private readonly logger: Logger,
    options: RetentionOptions = {},
  ) {
    this.retentionMs = options.retentionMs ?? 7 * 24 * 3600 * 1000;
    this.checkEveryMs = options.checkEveryMs ?? 10 * 60 * 1000;
    scheduler.on('tick', () => {
      if (Date.now() - this.lastRunAt >= this.checkEveryMs) this.purge().catch((error: unknown) => this.logger.warn('retention pass failed', { error }));
    });
  }

  /** A decision of its own. Returns how many jobs were purged. A parent goes only with its children (they finish first). */
  async purge(now = Date.now()): Promise<number> {
    this.lastRunAt = now;
    const cutoff = now - this.retentionMs;
    const { purged, files } = await this.scheduler.decide(() => this.store.purgeFinishedJobsBefore(cutoff));
    for (const file of files) rmSync(file, { force: true });
    if (purged > 0) this.logger.info('purged finished jobs past retention', { purged, retentionMs: this.retentionMs });
    const refused = await this.scheduler.decide(() => this.store.purgeRefusedReportsBefore(cutoff));
    if (refused > 0) this.logger.info('purged refused reports past retention', { refused, retentionMs: this.retentionMs });
    return purged;
  }
}
