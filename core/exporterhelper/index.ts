export * from './config.js';
export { createExporter, type Sender } from './exporter.js';
export * from './storage.js';
