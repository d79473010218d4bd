export * from './common.js';
export * from './proxy.js';
export * from './account.js';
export * from './job.js';
export * from './worker.js';
export * from './health.js';
export * from './message.js';
export * from './stats.js';
