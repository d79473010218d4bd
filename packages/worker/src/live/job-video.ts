import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { PageScreencast, type ScreencastFrame } from './page-screencast.js';

/** The artifact a recorded attempt leaves: its screencast frames, JPEG after JPEG (Motion JPEG). */
export const VIDEO_ARTIFACT = 'video.mjpeg';

/**
 * Records a job attempt's pages as the screencast sees them (at most 5 frames a second), into the
 * job's directory. Nothing is recorded while a person holds the session: what they type stays
 * out of the video, as it stays out of run.log and the trace.
 */
export class JobVideo {
  private cast: PageScreencast | undefined;
  private stream: WriteStream | undefined;
  private following: Promise<void> = Promise.resolve();
  private stopping: Promise<void> | undefined;

  constructor(
    private readonly file: string,
    private readonly personHolds: () => boolean,
  ) {}

  /** Records `page` from now on (the job's newest page). */
  follow(page: Page): void {
    this.following = this.following.then(async () => {
      if (this.stopping) return;
      await this.cast?.stop();
      const cast = new PageScreencast(page, (frame) => this.write(frame));
      this.cast = cast;
      // A page that closed at once has nothing to record.
      await cast.start(true).catch(() => undefined);
    });
  }

  /** Stops recording; keeps the file when `keep`, else deletes it. The first call decides. */
  stop(keep: boolean): Promise<void> {
    this.stopping ??= (async () => {
      await this.following;
      await this.cast?.stop();
      const stream = this.stream;
      if (stream) await new Promise<void>((resolve) => stream.end(() => resolve()));
      if (!keep) await rm(this.file, { force: true });
    })();
    return this.stopping;
  }

  private async write(frame: ScreencastFrame): Promise<void> {
    if (this.stopping || this.personHolds()) return;
    if (!this.stream) {
      mkdirSync(path.dirname(this.file), { recursive: true });
      this.stream = createWriteStream(this.file, { mode: 0o600 });
      this.stream.on('error', () => undefined);
    }
    const stream = this.stream;
    await new Promise<void>((resolve) => stream.write(Buffer.from(frame.data, 'base64'), () => resolve()));
  }
}
