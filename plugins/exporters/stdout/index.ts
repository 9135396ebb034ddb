import { createExporter } from '../../../core/exporterhelper/index.js';
import { definePlugin } from '../../../core/plugin.js';
import type { Signal } from '../../../core/signals.js';
import { StdoutConfig } from './config.js';
import { StdoutSender } from './stdout-exporter.js';

const sender = <S extends Signal>(signal: S, config: StdoutConfig) =>
  new StdoutSender(signal, config.encoding, process[config.stream], config.stream);

export default definePlugin({
  kind: 'exporter',
  type: 'stdout',
  description: 'Writes spans, metric data points and log records to stdout or stderr as JSON lines',
  stability: { traces: 'beta', metrics: 'beta', logs: 'beta' },
  config: StdoutConfig,
  capabilities: { writesToStdout: (config) => config.stream === 'stdout' },
  create: {
    traces: (ctx) => createExporter(ctx, 'traces', sender('traces', ctx.config)),
    metrics: (ctx) => createExporter(ctx, 'metrics', sender('metrics', ctx.config)),
    logs: (ctx) => createExporter(ctx, 'logs', sender('logs', ctx.config)),
  },
});
