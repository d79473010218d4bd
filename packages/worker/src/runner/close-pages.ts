import { within } from './job-secrets.js';

/** How long a job's page gets to close before the worker gives up on it. */
export const PAGE_CLOSE_TIMEOUT_MS = 5000;

/**
 * Closes the pages, each bounded by `timeoutMs`, and returns those that did not close (a close
 * that fails, the page already gone, counts as closed). Chromium
 * can accept the close of a page caught mid-navigation and then never close it (playwright#42366,
 * crawlee#4108): an unbounded `page.close()` there hangs the job, and with it the worker's drain.
 */
export async function closePagesWithin<P extends { close(): Promise<unknown> }>(pages: readonly P[], timeoutMs = PAGE_CLOSE_TIMEOUT_MS): Promise<P[]> {
  const closed = await Promise.all(
    pages.map((page) =>
      within(
        page.close().then(
          () => true,
          () => true,
        ),
        timeoutMs,
        false,
      ),
    ),
  );
  return pages.filter((_, i) => !closed[i]);
}
