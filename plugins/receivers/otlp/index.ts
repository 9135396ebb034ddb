import { definePlugin } from '../../../core/plugin.js';
import { OtlpReceiverConfig } from './config.js';
import { OtlpReceiver } from './receiver.js';

export default definePlugin({
  kind: 'receiver',
  type: 'otlp',
  description: 'Takes OTLP/HTTP (protobuf and JSON) from OpenTelemetry SDKs, Collectors and Tributary agents',
  stability: { traces: 'beta', metrics: 'beta', logs: 'beta' },
  config: OtlpReceiverConfig,
  create: {
    traces: (ctx, next) => new OtlpReceiver(ctx, 'traces', next),
    metrics: (ctx, next) => new OtlpReceiver(ctx, 'metrics', next),
    logs: (ctx, next) => new OtlpReceiver(ctx, 'logs', next),
  },
});
