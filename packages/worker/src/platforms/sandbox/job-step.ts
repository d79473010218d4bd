import type { JobContext } from '../plugin.js';

/**
 * Starts a named step: stops at once if the job was aborted, reports progress under the step's
 * name (a failure screenshot is named after the last step) and writes one line to run.log.
 */
export function step(ctx: JobContext, percent: number, name: string, line: string): void {
  ctx.signal.throwIfAborted();
  ctx.progress(percent, name);
  ctx.log(line);
}
