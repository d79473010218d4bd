export * from './fleet-metrics.js';
export * from './metric-names.js';
export * from './metrics-route.js';
