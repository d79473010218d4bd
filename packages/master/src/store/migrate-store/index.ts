export { migrateStore } from './migrate-store.js';
export type { MigrateStoreOptions, StoreMigrationProgress, StoreMigrationReport } from './migrate-store-options.js';
export { StoreMigrationRefused, type StoreMigrationRefusal } from './store-migration-refused.js';
export { COPIED_TABLES } from './copied-tables.js';
