export * from './redact.js';
export * from './logger.js';
