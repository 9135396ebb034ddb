import { definePlugin } from '../../../core/plugin.js';
import { MemoryLimiterConfig } from './config.js';
import { MemoryLimiterProcessor } from './limiter.js';

export default definePlugin({
  kind: 'processor',
  type: 'memory_limiter',
  description: 'Refuses data while the process uses more memory than its limit allows',
  stability: { traces: 'beta', metrics: 'beta', logs: 'beta' },
  config: MemoryLimiterConfig,
  create: {
    traces: (ctx, next) => new MemoryLimiterProcessor('traces', ctx.config, next, ctx),
    metrics: (ctx, next) => new MemoryLimiterProcessor('metrics', ctx.config, next, ctx),
    logs: (ctx, next) => new MemoryLimiterProcessor('logs', ctx.config, next, ctx),
  },
});
