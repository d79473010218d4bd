export * from './seal.js';
export * from './tokens.js';
