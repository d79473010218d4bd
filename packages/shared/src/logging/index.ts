export * from './redact.js';
export * from './logger.js';
export * from './close-logger.js';
