import { createExporter } from '../../../core/exporterhelper/index.js';
import { definePlugin } from '../../../core/plugin.js';
import { OtlpConfig } from './config.js';
import { otlpSender } from './otlp-exporter.js';

export default definePlugin({
  kind: 'exporter',
  type: 'otlp',
  description:
    'Sends traces, metrics and logs over OTLP/HTTP (protobuf or JSON) to a Collector, a gateway or a backend',
  stability: { traces: 'beta', metrics: 'beta', logs: 'beta' },
  config: OtlpConfig,
  create: {
    traces: (ctx) => createExporter(ctx, 'traces', otlpSender('traces', ctx.config, ctx.logger)),
    metrics: (ctx) => createExporter(ctx, 'metrics', otlpSender('metrics', ctx.config, ctx.logger)),
    logs: (ctx) => createExporter(ctx, 'logs', otlpSender('logs', ctx.config, ctx.logger)),
  },
});
