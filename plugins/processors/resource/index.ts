import { definePlugin } from '../../../core/plugin.js';
import { ResourceConfig } from './config.js';
import { ResourceProcessor } from './processor.js';

export default definePlugin({
  kind: 'processor',
  type: 'resource',
  description:
    'Sets, changes or removes resource attributes such as service.name (the Collector processor of that name)',
  stability: { traces: 'beta', metrics: 'beta', logs: 'beta' },
  config: ResourceConfig,
  create: {
    traces: (ctx, next) => new ResourceProcessor(ctx.config, next),
    metrics: (ctx, next) => new ResourceProcessor(ctx.config, next),
    logs: (ctx, next) => new ResourceProcessor(ctx.config, next),
  },
});
