export * from './worker.js';
export * from './worker-options.js';
export * from './platforms/plugin.js';
export * from './platforms/sandbox/index.js';
export * from './browser/browser-manager.js';
export * from './browser/launch-options.js';
export * from './main.js';
