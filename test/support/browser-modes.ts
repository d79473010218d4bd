/**
 * The worker's browser modes. Suites whose flows depend on how an account's context opens and
 * closes (locks, fencing, hibernation, crashes, several accounts at once) run in each; the others
 * run in the default mode, or all in shared mode with FLEET_TEST_BROWSER_MODE=shared.
 */
export const BROWSER_MODES = ['persistent', 'shared'] as const;
