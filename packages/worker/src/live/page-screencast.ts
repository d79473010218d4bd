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
  sessionId: number;
  metadata: { deviceWidth: number; deviceHeight: number };
}

const MIN_INTERVAL_MS = Math.ceil(1000 / LIVE_VIEW_BOUNDS.maxFramesPerSecond);

/**
 * Chromium's screencast of one page over CDP, throttled: Chromium's frames are acknowledged at
 * once (so it keeps producing them), only the newest is kept, and it goes out at most every
 * `MIN_INTERVAL_MS` and only after the previous one was delivered. The last state of the page is
 * always sent, however fast it changed.
 */
export class PageScreencast {
  private session: CDPSession | undefined;
  private latest: CdpFrame | undefined;
  private lastSentAt = 0;
  private sending = false;
  private timer: NodeJS.Timeout | undefined;
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
      session.send('Page.screencastFrameAck', { sessionId: frame.sessionId }).catch(() => undefined);
      if (this.stopped) return;
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
  }

  /** Idempotent; a page that closed meanwhile is fine. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
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
    try {
      // A frame over the bound (a huge page at full quality) is dropped; the next one may fit.
      if (frame.data.length <= LIVE_VIEW_BOUNDS.maxFrameChars)
        await this.deliver({
          seq: this.seq++,
          data: frame.data,
          width: Math.round(frame.metadata.deviceWidth),
          height: Math.round(frame.metadata.deviceHeight),
        });
    } catch {
      // Best effort: a lost frame is followed by the next.
    } finally {
      this.sending = false;
      this.schedule();
    }
  }
}
