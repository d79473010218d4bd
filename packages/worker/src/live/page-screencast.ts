import type { CDPSession, Page } from 'playwright-core';
import { LIVE_VIEW_BOUNDS } from '@fleetwright/shared';

/** A frame as the screencast hands it on: JPEG in base64 and the viewport it shows, in CSS pixels. */
export interface ScreencastFrame {
  seq: number;
  data: string;
  width: number;
  height: number;
}

interface LayoutMetrics {
  cssVisualViewport: { pageX: number; pageY: number; clientWidth: number; clientHeight: number };
}

const MIN_INTERVAL_MS = Math.ceil(1000 / LIVE_VIEW_BOUNDS.maxFramesPerSecond);
/** The slowest a still page is looked at: a change shows within this long. */
const STILL_INTERVAL_MS = 1000;
/** A capture that has not answered after this long is of a page in the background. */
const NO_FRAME_MS = 1000;

/**
 * A live view of one page over CDP: a JPEG of its viewport taken with `Page.captureScreenshot` at
 * most `maxFramesPerSecond` times a second, the next one only after the previous was delivered.
 * Not `Page.startScreencast`: Chromium's screencast copies every frame the page paints out of the
 * compositor (Chromium's acks only hold back the encoding), which slows the page's own job while it
 * loads; a capture per frame sent costs only what is sent. A page that stays still is looked at
 * less often (up to once a second, identical frames are not sent); a person's input (`poke()`)
 * or a change brings the rate back up.
 */
export class PageScreencast {
  private session: CDPSession | undefined;
  private timer: NodeJS.Timeout | undefined;
  private interval = MIN_INTERVAL_MS;
  private lastData: string | undefined;
  private capturing = false;
  private broughtToFront = false;
  private seq = 0;
  private stopped = false;

  constructor(
    readonly page: Page,
    private readonly deliver: (frame: ScreencastFrame) => Promise<void>,
  ) {}

  /**
   * Starts capturing. `fresh`: the page was just opened (a job's new page): it is blank until its
   * first navigation paints, so the CDP session and the first capture wait one frame interval
   * instead of taking the blank page while the job loads it; a page gone by then costs nothing.
   */
  async start(fresh = false): Promise<void> {
    if (fresh) {
      this.timer = setTimeout(() => void this.attach().catch(() => undefined), MIN_INTERVAL_MS);
      this.timer.unref();
      return;
    }
    await this.attach();
  }

  private async attach(): Promise<void> {
    if (this.stopped || this.page.isClosed()) return;
    const session = await this.page.context().newCDPSession(this.page);
    if (this.stopped) {
      await session.detach().catch(() => undefined);
      return;
    }
    this.session = session;
    void this.capture();
  }

  /** Something changed the page (a person's input): the next frame comes at the full rate. */
  poke(): void {
    this.interval = MIN_INTERVAL_MS;
    if (this.capturing || this.stopped || !this.session) return;
    clearTimeout(this.timer);
    this.schedule(MIN_INTERVAL_MS);
  }

  /** Idempotent; a page that closed meanwhile is fine. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    const session = this.session;
    this.session = undefined;
    await session?.detach().catch(() => undefined);
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => void this.capture(), delayMs);
    this.timer.unref();
  }

  private async capture(): Promise<void> {
    const session = this.session;
    if (!session || this.stopped || this.capturing) return;
    this.capturing = true;
    const startedAt = Date.now();
    try {
      const frame = await this.shoot(session);
      if (this.stopped) return;
      if (frame.data === this.lastData) {
        this.interval = Math.min(STILL_INTERVAL_MS, this.interval * 2);
      } else {
        this.interval = MIN_INTERVAL_MS;
        this.lastData = frame.data;
        // A frame over the bound (a huge page at full quality) is dropped; the next one may fit.
        if (frame.data.length <= LIVE_VIEW_BOUNDS.maxFrameChars) await this.deliver({ seq: this.seq++, ...frame }).catch(() => undefined);
      }
    } catch {
      // The page went away or is busy navigating: the next capture shows it.
    } finally {
      this.capturing = false;
      if (!this.stopped) this.schedule(Math.max(0, startedAt + this.interval - Date.now()));
    }
  }

  private async shoot(session: CDPSession): Promise<Omit<ScreencastFrame, 'seq'>> {
    const { cssVisualViewport: view } = (await session.send('Page.getLayoutMetrics')) as LayoutMetrics;
    const width = Math.max(1, Math.round(view.clientWidth));
    const height = Math.max(1, Math.round(view.clientHeight));
    const scale = Math.min(1, LIVE_VIEW_BOUNDS.maxWidth / width, LIVE_VIEW_BOUNDS.maxHeight / height);
    // The clip is in page coordinates: the visible part starts where the page is scrolled to.
    const shot = session.send('Page.captureScreenshot', {
      format: 'jpeg',
      quality: LIVE_VIEW_BOUNDS.jpegQuality,
      clip: { x: view.pageX, y: view.pageY, width, height, scale },
      optimizeForSpeed: true,
    }) as Promise<{ data: string }>;
    // A page in the background (a remote browser's second tab) paints nothing: bring it to the
    // front once when its capture does not come. Not at once: it would take the focus of pages that paint.
    const front = setTimeout(() => {
      if (this.broughtToFront || this.stopped) return;
      this.broughtToFront = true;
      session.send('Page.bringToFront').catch(() => undefined);
    }, NO_FRAME_MS);
    front.unref();
    try {
      return { data: (await shot).data, width, height };
    } finally {
      clearTimeout(front);
    }
  }
}
