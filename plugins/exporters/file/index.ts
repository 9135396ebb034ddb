import { createExporter } from '../../../core/exporterhelper/index.js';
import { definePlugin } from '../../../core/plugin.js';
import { FileConfig } from './config.js';
import { FileSender } from './file-exporter.js';
import { isStdout } from './stdout.js';

export default definePlugin({
  kind: 'exporter',
  type: 'file',
  description: 'Appends spans, metric data points and log records to a size-rotated file as JSON lines',
  stability: { traces: 'beta', metrics: 'beta', logs: 'beta' },
  config: FileConfig,
  // /dev/stdout, or a path that resolves to what this process's stdout is.
  capabilities: { writesToStdout: (config) => isStdout(config.path) },
  create: {
    traces: (ctx) => createExporter(ctx, 'traces', new FileSender('traces', ctx.config, ctx.logger)),
    metrics: (ctx) => createExporter(ctx, 'metrics', new FileSender('metrics', ctx.config, ctx.logger)),
    logs: (ctx) => createExporter(ctx, 'logs', new FileSender('logs', ctx.config, ctx.logger)),
  },
});
