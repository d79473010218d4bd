import type { CDPSession, Page } from 'playwright-core';
import { LIVE_VIEW_BOUNDS } from '@fleetwright/shared';

/** A frame as the screencast hands it on: JPEG in base64 and the viewport it shows, in CSS pixels. */
export interface ScreencastFrame {
  seq: number;
  data: string;
  width: number;
  height: number;
}

interface CdpFrame {
  data: string;
  /** Chromium's id for the ack; undefined for a frame taken with a screenshot. */
  sessionId?: number;
  metadata: { deviceWidth: number; deviceHeight: number };
}

const MIN_INTERVAL_MS = Math.ceil(1000 / LIVE_VIEW_BOUNDS.maxFramesPerSecond);
/** How long the page must stay still after a throttled burst before its final state is taken. */
const SETTLE_MS = 2 * MIN_INTERVAL_MS;
/** A screencast that has sent no frame after this long is of a page in the background. */
const NO_FRAME_MS = 1000;

/**
 * Chromium's screencast of one page over CDP, throttled at the source: Chromium encodes a frame
 * only while fewer than a few wait for their ack, so frames are acknowledged only when one goes
 * out (at most every `MIN_INTERVAL_MS`, after the previous one was delivered). A change Chromium
 * skipped while acks were held would leave the view stale, so after such a burst the page's final
 * state is taken once with a screenshot when it settles.
 */
export class PageScreencast {
  private session: CDPSession | undefined;
  private latest: CdpFrame | undefined;
  private unacked: number[] = [];
  private lastSentAt = 0;
  private sending = false;
  private timer: NodeJS.Timeout | undefined;
  private settleTimer: NodeJS.Timeout | undefined;
  private frontTimer: NodeJS.Timeout | undefined;
  private viewport = { width: 0, height: 0 };
  private seq = 0;
  private stopped = false;

  constructor(
    readonly page: Page,
    private readonly deliver: (frame: ScreencastFrame) => Promise<void>,
  ) {}

  async start(): Promise<void> {
    const session = await this.page.context().newCDPSession(this.page);
    this.session = session;
    session.on('Page.screencastFrame', (frame: CdpFrame) => {
      if (frame.sessionId !== undefined) this.unacked.push(frame.sessionId);
      if (this.stopped) return;
      clearTimeout(this.settleTimer);
      this.latest = frame;
      this.schedule();
    });
    await session.send('Page.startScreencast', {
      format: 'jpeg',
      quality: LIVE_VIEW_BOUNDS.jpegQuality,
      maxWidth: LIVE_VIEW_BOUNDS.maxWidth,
      maxHeight: LIVE_VIEW_BOUNDS.maxHeight,
    });
    if (this.stopped) await this.stop();
    // A page in the background (a remote browser's second tab) paints nothing: bring it to the
    // front when no first frame came. Not at once: it would take the focus of pages that paint.
    this.frontTimer = setTimeout(() => {
      if (this.seq === 0 && !this.latest && !this.stopped) session.send('Page.bringToFront').catch(() => undefined);
    }, NO_FRAME_MS);
    this.frontTimer.unref();
  }

  /** Idempotent; a page that closed meanwhile is fine. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    clearTimeout(this.settleTimer);
    clearTimeout(this.frontTimer);
    this.latest = undefined;
    const session = this.session;
    this.session = undefined;
    if (!session) return;
    await session.send('Page.stopScreencast').catch(() => undefined);
    await session.detach().catch(() => undefined);
  }

  private schedule(): void {
    if (this.sending || this.timer || !this.latest) return;
    const wait = Math.max(0, this.lastSentAt + MIN_INTERVAL_MS - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.sendLatest();
    }, wait);
    this.timer.unref();
  }

  private async sendLatest(): Promise<void> {
    const frame = this.latest;
    this.latest = undefined;
    if (!frame || this.stopped) return;
    this.sending = true;
    this.lastSentAt = Date.now();
    const acks = this.unacked.splice(0);
    try {
      this.viewport = { width: Math.round(frame.metadata.deviceWidth), height: Math.round(frame.metadata.deviceHeight) };
      // A frame over the bound (a huge page at full quality) is dropped; the next one may fit.
      if (frame.data.length <= LIVE_VIEW_BOUNDS.maxFrameChars) await this.deliver({ seq: this.seq++, data: frame.data, ...this.viewport });
    } catch {
      // Best effort: a lost frame is followed by the next.
    } finally {
      this.sending = false;
      for (const sessionId of acks) this.session?.send('Page.screencastFrameAck', { sessionId }).catch(() => undefined);
      // More than one frame waited: Chromium may have skipped a change meanwhile.
      if (acks.length > 1) this.settleTimer = setTimeout(() => void this.takeFinalState(), SETTLE_MS);
      this.settleTimer?.unref();
      this.schedule();
    }
  }

  private async takeFinalState(): Promise<void> {
    const { session, viewport } = this;
    if (!session || this.stopped || this.latest || viewport.width === 0) return;
    const scale = Math.min(1, LIVE_VIEW_BOUNDS.maxWidth / viewport.width, LIVE_VIEW_BOUNDS.maxHeight / viewport.height);
    try {
      // The clip is in page coordinates: the visible part starts where the page is scrolled to.
      const { cssVisualViewport: at } = (await session.send('Page.getLayoutMetrics')) as { cssVisualViewport: { pageX: number; pageY: number } };
      const shot = (await session.send('Page.captureScreenshot', {
        format: 'jpeg',
        quality: LIVE_VIEW_BOUNDS.jpegQuality,
        clip: { x: at.pageX, y: at.pageY, width: viewport.width, height: viewport.height, scale },
      })) as { data: string };
      if (this.stopped || this.latest) return;
      this.latest = { data: shot.data, metadata: { deviceWidth: viewport.width, deviceHeight: viewport.height } };
      this.schedule();
    } catch {
      // The page went away or is busy navigating: its next frame shows it.
    }
  }
}
