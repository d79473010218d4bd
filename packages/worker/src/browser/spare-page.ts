import type { BrowserContext, Page } from 'playwright-core';

/**
 * The blank page a context's next job gets, opened as soon as its last job's page closed. Opening
 * a page starts a renderer, which would otherwise sit on every warm job's path in a context that
 * keeps no page between jobs (a context of a shared browser). No job has used it, so each job
 * still gets a fresh page. It closes once unused for `idleMs`, so a quiet account holds no renderer.
 */
export class SparePage {
  private page: Promise<Page | undefined> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly context: BrowserContext,
    private readonly idleMs: number,
  ) {
    // However the context ends (closed, or its browser crashed), no timer outlives it.
    context.once('close', () => this.dispose());
  }

  /** Opens the next job's page in the background, unless one is open or opening. */
  prepare(): void {
    if (this.idleMs <= 0 || this.page) return;
    this.page = this.context.newPage().catch(() => undefined);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.close(), this.idleMs);
    this.timer.unref();
  }

  /** The prepared page (waiting for it if it is still opening), or undefined; the caller owns it. */
  async take(): Promise<Page | undefined> {
    const pending = this.page;
    this.page = undefined;
    clearTimeout(this.timer);
    const page = await pending;
    return page && !page.isClosed() ? page : undefined;
  }

  /** The context is closing (its pages with it): no timer stays. */
  dispose(): void {
    clearTimeout(this.timer);
    this.page = undefined;
  }

  /** Closes the prepared page, if any; answers whether there was one. */
  async close(): Promise<boolean> {
    const page = await this.take();
    if (!page) return false;
    await page.close().catch(() => undefined);
    return true;
  }
}
