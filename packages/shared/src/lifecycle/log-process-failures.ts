import type { Logger } from '../logging/logger.js';
import { closeLogger } from '../logging/close-logger.js';

/** Exit code after an uncaught exception (EX_SOFTWARE): PM2 and systemd restart the process. */
export const UNCAUGHT_EXCEPTION_EXIT_CODE = 70;

/**
 * Process-level failures are logged (through the logger, so redacted) instead of passing unseen:
 * - an unhandled promise rejection is logged and the process keeps running: it failed one
 *   operation, and the rest of the process is consistent;
 * - an uncaught exception is logged, the log flushed, and the process exits non-zero: it was thrown
 *   out of the middle of some work, so the state in memory may be half-changed.
 * Composition roots (`main.ts`) call this once, right after creating their logger.
 */
export function logProcessFailures(name: string, logger: Logger): void {
  let exiting = false;
  process.on('unhandledRejection', (reason) => {
    logger.error(`${name}: unhandled promise rejection (still running)`, { error: reason });
  });
  process.on('uncaughtException', (error, origin) => {
    if (exiting) return;
    exiting = true;
    try {
      logger.error(`${name}: uncaught exception, exiting (its state may be corrupt)`, { error, origin });
    } catch {
      // A broken logger must not keep a corrupt process alive.
    }
    void closeLogger(logger).finally(() => process.exit(UNCAUGHT_EXCEPTION_EXIT_CODE));
  });
}
