import { createLogger } from '@fleetwright/shared';

/** A logger with no transport: tests assert on behaviour, not on log output. */
export const quietLogger = createLogger({ name: 'worker-test', console: false });
