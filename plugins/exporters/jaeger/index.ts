import { createExporter } from '../../../core/exporterhelper/index.js';
import { definePlugin } from '../../../core/plugin.js';
import { JaegerConfig } from './config.js';
import { jaegerSender } from './jaeger-exporter.js';

export default definePlugin({
  kind: 'exporter',
  type: 'jaeger',
  description:
    'Sends traces to Jaeger: OTLP/HTTP (Jaeger >= 1.35), or Thrift to a Jaeger v1 collector or agent',
  stability: { traces: 'beta' },
  config: JaegerConfig,
  create: {
    traces: (ctx) => createExporter(ctx, 'traces', jaegerSender(ctx.config, ctx.logger)),
  },
});
