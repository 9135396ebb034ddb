import { definePlugin } from '../../../core/plugin.js';
import { FileStorageConfig } from './config.js';
import { FileStorageExtension } from './extension.js';

export default definePlugin({
  kind: 'extension',
  type: 'file_storage',
  description: 'durable key-value stores in a directory, e.g. for persistent sending queues',
  stability: { extension: 'alpha' },
  config: FileStorageConfig,
  create: (ctx) => new FileStorageExtension(ctx),
});
