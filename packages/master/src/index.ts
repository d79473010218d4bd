export * from './master.js';
export * from './master-options.js';
export * from './master-secrets.js';
export * from './store/fleet-store.js';
export * from './store/database.js';
export * from './store/migrations.js';
export * from './main.js';
