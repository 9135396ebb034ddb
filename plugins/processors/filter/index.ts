import { definePlugin } from '../../../core/plugin.js';
import { FilterConfig } from './config.js';
import { FilterProcessor } from './processor.js';

export default definePlugin({
  kind: 'processor',
  type: 'filter',
  description:
    'Drops spans, log records and metric points by name, attributes and severity (the Collector processor of that name)',
  stability: { traces: 'alpha', metrics: 'alpha', logs: 'alpha' },
  config: FilterConfig,
  create: {
    traces: (ctx, next) => new FilterProcessor('traces', ctx.config, next, ctx),
    metrics: (ctx, next) => new FilterProcessor('metrics', ctx.config, next, ctx),
    logs: (ctx, next) => new FilterProcessor('logs', ctx.config, next, ctx),
  },
});
