export * from './env-reader.js';
export * from './fleet-config.js';
export * from './exit-on-config-error.js';
export * from './network-env.js';
export * from './database-env.js';
