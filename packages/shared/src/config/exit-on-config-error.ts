import { FleetError } from '../errors/fleet-error.js';

/**
 * Runs `load`; a bad environment value ends the process with one line naming the variable,
 * instead of a stack trace. Composition roots (`main.ts`) call this.
 */
export function loadOrExit<T>(load: () => T, processName: string): T {
  try {
    return load();
  } catch (error) {
    if (error instanceof FleetError && error.code === 'CONFIG_INVALID') {
      process.stderr.write(`${processName}: invalid configuration: ${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
}
