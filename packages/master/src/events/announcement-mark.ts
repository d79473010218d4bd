import type { JobView, Logger } from '@fleetwright/shared';
import type { JobsBackend } from '../store/backend/jobs-backend.js';
import type { Leadership } from '../scheduler/leadership.js';

export interface AnnouncementMarkOptions {
  leadership: Leadership;
  /** Resolves once every decision queued before the call is decided and what it announced is handed on (Scheduler.decided). */
  decided: () => Promise<void>;
  /** Resolves once every event handed on before the call is published: stored where every master reads it. */
  published: () => Promise<void>;
  jobs: Pick<JobsBackend, 'finishedSince' | 'views'>;
  /**
   * The ids of the jobs whose end is known to have been published from `since` (by the previous
   * holder's clock) on: they are not announced again. None known: every end since is.
   */
  publishedEndsSince?: (since: number) => Promise<Set<string>>;
  /** Tells the clients again that a job ended (`job:done`): the fleet's own listeners heard it where it ended. */
  announceEnd: (job: JobView) => void;
  logger: Logger;
  /** How often the leader marks its lease. @defaultValue 1000 */
  everyMs?: number;
}

/** Job ends re-announced a page at a time, so a takeover after a burst does not read it all at once. */
const PAGE = 500;
/**
 * A mark is this much older than the moment it was taken. `Date.now()` may step back (a clock
 * set right), and a decision's `finished_at` is its master's clock: a small step must not hide a
 * job's end behind a mark.
 */
const CLOCK_SLACK_MS = 1000;

/**
 * Every job's end is announced (`job:done`) at least once, even when the leader dies between
 * committing it and publishing it. A decision's events leave once it commits; a leader SIGKILLed
 * in between (a tick, or as long as its link to Redis is down) took them with it, and no client on
 * another master would hear of those jobs' ends.
 *
 * The leader marks its lease, about every second, with a time before which every job's end it
 * decided has been published: it takes the time, waits for the decisions queued before it and then
 * for their events to be published, and writes the mark (LeasesBackend.markAnnounced). A take keeps
 * the previous holder's mark, so a new leader re-announces every job that finished at or after it,
 * unless it finds its end among those published (`publishedEndsSince`: the events stream). A
 * client may hear a job's end twice across a change of leader (an end published where it cannot be
 * found), never zero times.
 */
export class AnnouncementMark {
  private timer: NodeJS.Timeout | undefined;
  /** The epoch whose marks are under way; a mark started under another epoch is not written. */
  private epoch: number | undefined;
  private marking = false;

  constructor(private readonly options: AnnouncementMarkOptions) {}

  /** Follows the lead: catches up on taking it, then marks while it lasts. */
  attach(): void {
    this.options.leadership.onChange((leading, epoch) => {
      this.stop();
      if (leading && epoch !== undefined) void this.lead(epoch, this.options.leadership.announcedThroughAtTake);
    });
  }

  stop(): void {
    this.epoch = undefined;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private async lead(epoch: number, owedSince: number | undefined): Promise<void> {
    this.epoch = epoch;
    this.marking = false;
    try {
      if (owedSince !== undefined) await this.catchUp(epoch, owedSince);
    } catch (error) {
      // Its lease keeps the previous mark: the next leader catches up from there.
      this.options.logger.warn('could not announce the ends of the jobs the previous leader may not have', { error });
      return;
    }
    if (this.epoch !== epoch) return;
    this.timer = setInterval(() => void this.mark(epoch), this.options.everyMs ?? 1000);
    this.timer.unref();
    void this.mark(epoch);
  }

  /** Announces every job that finished at or after `since` (the previous holder's mark). */
  private async catchUp(epoch: number, since: number): Promise<void> {
    const published = (await this.options.publishedEndsSince?.(since)) ?? new Set<string>();
    let announced = 0;
    let after: Awaited<ReturnType<JobsBackend['finishedSince']>>[number] | undefined;
    for (;;) {
      const rows = await this.options.jobs.finishedSince(since, PAGE, after);
      if (this.epoch !== epoch) return;
      const unheard = rows.filter((row) => !published.has(row.id));
      for (const view of await this.options.jobs.views(unheard)) this.options.announceEnd(view);
      announced += unheard.length;
      if (rows.length < PAGE) break;
      after = rows.at(-1);
    }
    if (announced > 0)
      this.options.logger.info('announced again the ends of jobs the previous leader may not have published', {
        jobs: announced,
        since: new Date(since).toISOString(),
      });
  }

  private async mark(epoch: number): Promise<void> {
    // One at a time: one that waits on Redis out of reach holds the mark where it was.
    if (this.marking || this.epoch !== epoch) return;
    this.marking = true;
    try {
      const through = Date.now() - CLOCK_SLACK_MS;
      await this.options.decided();
      await this.options.published();
      if (this.epoch === epoch) await this.options.leadership.markAnnounced(epoch, through);
    } catch (error) {
      this.options.logger.debug('could not mark the leader lease announced', { error });
    } finally {
      if (this.epoch === epoch) this.marking = false;
    }
  }
}
