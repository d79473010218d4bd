export * from './errors/index.js';
export * from './schemas/index.js';
export * from './events/index.js';
export * from './config/index.js';
export * from './logging/index.js';
export * from './crypto/index.js';
export * from './browser/find-chromium.js';
export * from './version.js';
