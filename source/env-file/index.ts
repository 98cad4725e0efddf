export * from './env-file.js';
