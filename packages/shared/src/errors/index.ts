export * from './error-codes.js';
export * from './fleet-error.js';
export * from './zod-error.js';
