import { definePlugin } from '../../../core/plugin.js';
import { SelfTelemetryConfig } from './config.js';
import { SelfTelemetryReceiver } from './receiver.js';

export default definePlugin({
  kind: 'receiver',
  type: 'selftelemetry',
  description: "The engine's own metrics: items accepted, refused, sent, failed and dropped, queue sizes.",
  stability: { metrics: 'beta' },
  config: SelfTelemetryConfig,
  create: { metrics: (ctx, next) => new SelfTelemetryReceiver(ctx, next) },
});
