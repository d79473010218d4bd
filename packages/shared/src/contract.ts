/**
 * The browser-safe part of the contract (no Node built-ins): error codes, schemas and event maps.
 * The dashboard and the typed client import this entry.
 */
export * from './errors/index.js';
export * from './schemas/index.js';
export * from './events/index.js';
export * from './version.js';
