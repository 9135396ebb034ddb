import { definePlugin } from '../../../core/plugin.js';
import { RedactionConfig } from './config.js';
import { RedactionProcessor } from './processor.js';

export default definePlugin({
  kind: 'processor',
  type: 'redaction',
  description:
    'Masks secrets (credential keys, bearer tokens, API keys, emails, card numbers) in attributes and log bodies',
  stability: { traces: 'beta', metrics: 'beta', logs: 'beta' },
  config: RedactionConfig,
  create: {
    traces: (ctx, next) => new RedactionProcessor('traces', ctx.config, next, ctx),
    metrics: (ctx, next) => new RedactionProcessor('metrics', ctx.config, next, ctx),
    logs: (ctx, next) => new RedactionProcessor('logs', ctx.config, next, ctx),
  },
});
