import { once } from 'node:events';
import DailyRotateFile from 'winston-daily-rotate-file';
import type { Logger } from './logger.js';

const closing = new WeakMap<Logger, Promise<void>>();

/**
 * Ends `logger` and waits (at most `timeoutMs`) until its files hold every line, so a process
 * that exits right after keeps its last lines ("stopping master"). Idempotent.
 */
export function closeLogger(logger: Logger, timeoutMs = 2000): Promise<void> {
  let done = closing.get(logger);
  if (!done) {
    const files = logger.transports.filter((t): t is DailyRotateFile => t instanceof DailyRotateFile);
    const ended = once(logger, 'finish');
    logger.end();
    // The file streams end after the logger has handed them its last records.
    const flushed = ended.then(() =>
      Promise.all(
        files.map((file) => {
          const finished = once(file, 'finish');
          file.close?.();
          return finished;
        }),
      ),
    );
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
    done = Promise.race([
      flushed.then(
        () => undefined,
        () => undefined,
      ),
      expired,
    ]).finally(() => clearTimeout(timer));
    closing.set(logger, done);
  }
  return done;
}
