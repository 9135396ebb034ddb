import { definePlugin } from '../../../core/plugin.js';
import { AttributesConfig } from './config.js';
import { AttributesProcessor } from './processor.js';

export default definePlugin({
  kind: 'processor',
  type: 'attributes',
  description:
    'Inserts, updates, deletes, hashes or extracts attributes of spans, logs and metric points (the Collector processor of that name)',
  stability: { traces: 'beta', metrics: 'beta', logs: 'beta' },
  config: AttributesConfig,
  create: {
    traces: (ctx, next) => new AttributesProcessor('traces', ctx.config, next),
    metrics: (ctx, next) => new AttributesProcessor('metrics', ctx.config, next),
    logs: (ctx, next) => new AttributesProcessor('logs', ctx.config, next),
  },
});
