import { expect } from 'vitest';
import { FleetError } from '@fleetwright/shared';

/** Runs `fn` and returns the FleetError it throws (failing the test if it throws anything else, or nothing). */
export function fleetErrorOf(fn: () => unknown): FleetError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(FleetError);
    return error as FleetError;
  }
  throw new Error('expected a FleetError, nothing was thrown');
}
