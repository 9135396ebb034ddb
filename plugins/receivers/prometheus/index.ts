import { definePlugin } from '../../../core/plugin.js';
import { PrometheusReceiverConfig } from './config.js';
import { PrometheusReceiver } from './receiver.js';

export default definePlugin({
  kind: 'receiver',
  type: 'prometheus',
  description:
    'Scrapes Prometheus /metrics endpoints (text 0.0.4 and OpenMetrics), as a Prometheus server would.',
  stability: { metrics: 'beta' },
  config: PrometheusReceiverConfig,
  create: { metrics: (ctx, next) => new PrometheusReceiver(ctx, next) },
});
