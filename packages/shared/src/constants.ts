/**
 * The browser entry for pages that need the contract's names but not its schemas: error codes and
 * FleetError, event names, closed lists. No zod (the dashboard's bundle stays small); types come
 * from `@fleetwright/shared/contract` as type-only imports.
 */
export * from './errors/error-codes.js';
export * from './errors/fleet-error.js';
export * from './events/event-names.js';
export * from './schemas/constants.js';
export * from './version.js';
