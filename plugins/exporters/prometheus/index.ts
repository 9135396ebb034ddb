import { definePlugin } from '../../../core/plugin.js';
import { PrometheusConfig } from './config.js';
import { PrometheusExporter } from './exporter.js';

export default definePlugin({
  kind: 'exporter',
  type: 'prometheus',
  description: 'Serves metrics for Prometheus to scrape (text format 0.0.4 and OpenMetrics 1.0)',
  stability: { metrics: 'beta' },
  config: PrometheusConfig,
  create: { metrics: (ctx) => new PrometheusExporter(ctx) },
});
