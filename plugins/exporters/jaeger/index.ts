import { createExporter } from '../../../core/exporterhelper/index.js';
import { OtlpHttpSender, signalUrl } from '../../../core/otlp/index.js';
import { definePlugin } from '../../../core/plugin.js';
import { JaegerConfig } from './config.js';

export default definePlugin({
  kind: 'exporter',
  type: 'jaeger',
  description: 'Sends traces to Jaeger over OTLP/HTTP (Jaeger v2, and v1 from 1.35)',
  stability: { traces: 'beta' },
  config: JaegerConfig,
  create: {
    traces: (ctx) => {
      const { endpoint, headers, compression, tls } = ctx.config;
      const url = signalUrl(endpoint, 'traces');
      const settings = { url, encoding: 'proto' as const, headers, compression, tls };
      return createExporter(ctx, 'traces', new OtlpHttpSender('traces', settings, ctx.logger));
    },
  },
});
