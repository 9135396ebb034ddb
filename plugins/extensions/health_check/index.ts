import { definePlugin } from '../../../core/plugin.js';
import { HealthCheckConfig } from './config.js';
import { HealthCheckExtension } from './extension.js';

export default definePlugin({
  kind: 'extension',
  type: 'health_check',
  description: 'GET /health (liveness) and GET /ready (readiness from every component status) for probes',
  stability: { extension: 'beta' },
  config: HealthCheckConfig,
  create: (ctx) => new HealthCheckExtension(ctx),
});
