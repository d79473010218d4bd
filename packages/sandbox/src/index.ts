export * from './sandbox-server.js';
export * from './store/sandbox-store.js';
export * from './fence-oracle.js';
export * from './seed-demo.js';
