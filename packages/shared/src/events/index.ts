export * from './event-names.js';
export * from './worker-payloads.js';
export * from './worker-events.js';
export * from './client-payloads.js';
export * from './client-events.js';
export * from './validated-handler.js';
