import { rmSync } from 'node:fs';
import type { Logger } from '@fleetwright/shared';
import type { FleetStore } from '../store/fleet-store.js';
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
    private readonly store: FleetStore,
    scheduler: Scheduler,
    private readonly logger: Logger,
    options: RetentionOptions = {},
  ) {
    this.retentionMs = options.retentionMs ?? 7 * 24 * 3600 * 1000;
    this.checkEveryMs = options.checkEveryMs ?? 10 * 60 * 1000;
    scheduler.on('tick', () => {
      if (Date.now() - this.lastRunAt >= this.checkEveryMs) this.purge();
    });
  }

  /** Returns how many jobs were purged. A parent goes only with its children (they finish first). */
  purge(now = Date.now()): number {
    this.lastRunAt = now;
    const cutoff = now - this.retentionMs;
    const db = this.store.db;
    const files: string[] = [];
    const purged = db.transaction(() => {
      // Old and finished, and neither a parent of a job that stays nor a child of a parent that stays.
      const old = `SELECT id FROM jobs WHERE finished_at IS NOT NULL AND finished_at < @cutoff
        AND id NOT IN (SELECT parent_id FROM jobs WHERE parent_id IS NOT NULL AND (finished_at IS NULL OR finished_at >= @cutoff))
        AND (parent_id IS NULL OR parent_id NOT IN (SELECT id FROM jobs WHERE finished_at IS NULL OR finished_at >= @cutoff))`;
      for (const { path } of db.prepare(`SELECT path FROM artifacts WHERE job_id IN (${old})`).all({ cutoff }) as { path: string }[]) files.push(path);
      db.prepare(`UPDATE monitors SET last_job_id = NULL WHERE last_job_id IN (${old})`).run({ cutoff });
      // Children before parents, so no row is left pointing at a deleted parent.
      const children = db.prepare(`DELETE FROM jobs WHERE parent_id IS NOT NULL AND id IN (${old})`).run({ cutoff }).changes;
      return children + db.prepare(`DELETE FROM jobs WHERE id IN (${old})`).run({ cutoff }).changes;
    })();
    for (const file of files) rmSync(file, { force: true });
    if (purged > 0) this.logger.info('purged finished jobs past retention', { purged, retentionMs: this.retentionMs });
    const refused = db.prepare('DELETE FROM refused_reports WHERE at < ?').run(cutoff).changes;
    if (refused > 0) this.logger.info('purged refused reports past retention', { refused, retentionMs: this.retentionMs });
    return purged;
  }
}
