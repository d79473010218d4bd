export * from './rest-client.js';
export * from './event-client.js';
export * from './fleet-api-error.js';
