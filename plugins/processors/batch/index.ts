import { definePlugin } from '../../../core/plugin.js';
import { BatchConfig } from './config.js';
import { BatchProcessor } from './processor.js';

export default definePlugin({
  kind: 'processor',
  type: 'batch',
  description: 'Groups spans, metric data points and log records into batches by size and time',
  stability: { traces: 'beta', metrics: 'beta', logs: 'beta' },
  config: BatchConfig,
  create: {
    traces: (ctx, next) => new BatchProcessor('traces', ctx.config, next, ctx),
    metrics: (ctx, next) => new BatchProcessor('metrics', ctx.config, next, ctx),
    logs: (ctx, next) => new BatchProcessor('logs', ctx.config, next, ctx),
  },
});
