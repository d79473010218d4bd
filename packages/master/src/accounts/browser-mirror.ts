import type { Server } from 'socket.io';
import type { AccountBrowserView, Logger } from '@fleetwright/shared';
import type { AccountBrowsers } from './account-browsers.js';

/** Server-side events between masters, through the Socket.IO adapter (Redis). */
const BROWSER_CHANGED = 'fleet:browser';
const BROWSERS_ASKED = 'fleet:browsers';

type Reading = [accountId: string, view: AccountBrowserView];
/** How often, and how far apart, a following master asks for the leader's readings. */
const ASK_ATTEMPTS = 10;
const ASK_AGAIN_MS = 500;

/**
 * Workers report their browsers to the leader only, so another master's account views would show
 * every browser stopped. The leader passes each change on to the other masters, and a master that
 * starts following asks for the leader's readings; a master keeps its own readings only while it
 * leads, and starts afresh from the workers' heartbeats when it is elected.
 */
export class BrowserMirror {
  private closed = false;
  constructor(
    private readonly io: Server,
    private readonly browsers: AccountBrowsers,
    private readonly leading: () => boolean,
    private readonly logger: Logger,
  ) {}

  attach(): void {
    this.browsers.onChange((accountId, view) => {
      if (this.leading()) this.io.serverSideEmit(BROWSER_CHANGED, accountId, view);
    });
    this.io.on(BROWSER_CHANGED, (accountId: string, view: AccountBrowserView) => {
      if (!this.leading()) this.browsers.mirror(accountId, view);
    });
    // Every master answers (a server-side ack waits for all of them): the leader with its readings, the others with null.
    this.io.on(BROWSERS_ASKED, (answer: (readings: Reading[] | null) => void) => answer(this.leading() ? this.browsers.views() : null));
  }

  /** Stops asking: the master is closing. */
  close(): void {
    this.closed = true;
  }

  /** This master leads now: its readings come from the workers that connect to it. */
  elected(): void {
    this.browsers.clear();
  }

  /**
   * This master follows now: it takes the leader's readings. A master that has just started may not
   * know the others yet (the adapter learns of them by heartbeat), so it asks again until the
   * leader answers, a few times.
   */
  async following(): Promise<void> {
    for (let attempt = 1; attempt <= ASK_ATTEMPTS && !this.closed; attempt++) {
      try {
        // The adapter's own timeout (5 s) bounds the wait for the other masters.
        const answers = (await this.io.serverSideEmitWithAck(BROWSERS_ASKED)) as (Reading[] | null)[];
        const leaders = answers.filter((readings) => readings !== null);
        if (leaders.length > 0) {
          this.browsers.clear();
          for (const [accountId, view] of leaders.flat()) this.browsers.mirror(accountId, view);
          return;
        }
      } catch (error) {
        this.logger.debug("the other masters did not all answer for the leader's browsers", { error, attempt });
      }
      if (this.leading() || this.closed) return;
      await new Promise((resolve) => setTimeout(resolve, ASK_AGAIN_MS));
    }
    this.logger.warn("could not read the leader's browsers; the views show them as the leader next reports them");
  }
}
