import { definePlugin } from '../../../core/plugin.js';
import { AdminConfig } from './config.js';
import { AdminExtension } from './extension.js';

export default definePlugin({
  kind: 'extension',
  type: 'admin',
  description: 'A live status page: the pipeline graph, each component’s status, items in and out, queues',
  stability: { extension: 'alpha' },
  config: AdminConfig,
  create: (ctx) => new AdminExtension(ctx),
});
