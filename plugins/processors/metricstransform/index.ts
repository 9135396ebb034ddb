import { definePlugin } from '../../../core/plugin.js';
import { MetricsTransformConfig } from './config.js';
import { MetricsTransformProcessor } from './processor.js';

export default definePlugin({
  kind: 'processor',
  type: 'metricstransform',
  description:
    'Renames, copies, relabels, aggregates and scales metrics (the Collector processor of that name)',
  stability: { metrics: 'alpha' },
  config: MetricsTransformConfig,
  create: {
    metrics: (ctx, next) => new MetricsTransformProcessor(ctx.config, next),
  },
});
