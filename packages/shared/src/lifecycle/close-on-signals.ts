import type { Logger } from '../logging/logger.js';
import { closeLogger } from '../logging/close-logger.js';

/**
 * The composition roots' shutdown: SIGTERM or SIGINT (as PM2 and Ctrl-C send them) runs
 * `close()` once, flushes the logger, and exits 0.
 */
export function closeOnSignals(name: string, close: () => Promise<void>, logger: Logger): void {
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info(`stopping ${name}`, { signal });
    void close()
      .then(() => closeLogger(logger))
      .then(() => process.exit(0));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}
