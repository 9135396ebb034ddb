import { createExporter } from '../../../core/exporterhelper/index.js';
import { definePlugin } from '../../../core/plugin.js';
import { ElasticsearchConfig } from './config.js';
import { distinctBatches, ElasticsearchSender } from './elasticsearch-exporter.js';

export default definePlugin({
  kind: 'exporter',
  type: 'elasticsearch',
  description:
    'Indexes log records and spans into Elasticsearch with the _bulk API; rejected documents go to a dead-letter file',
  stability: { logs: 'beta', traces: 'alpha' },
  config: ElasticsearchConfig,
  create: {
    logs: (ctx) => distinctBatches(createExporter(ctx, 'logs', new ElasticsearchSender('logs', ctx))),
    traces: (ctx) => distinctBatches(createExporter(ctx, 'traces', new ElasticsearchSender('traces', ctx))),
  },
});
