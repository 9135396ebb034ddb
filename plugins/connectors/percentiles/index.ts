import { definePlugin } from '../../../core/plugin.js';
import { PercentilesConfig } from './config.js';
import { PercentilesConnector } from './connector.js';
import { LatencyStats } from './stats.js';

export default definePlugin({
  kind: 'connector',
  type: 'percentiles',
  description:
    'Sliding-window latency statistics (p50, p95, p99, min, max, avg, count) of spans per key, as gauges',
  stability: { 'traces->metrics': 'alpha' },
  config: PercentilesConfig,
  create: {
    'traces->metrics': (ctx, next) =>
      new PercentilesConnector(
        ctx,
        ctx.shared(() => new LatencyStats(ctx.config)),
        next,
      ),
  },
});
