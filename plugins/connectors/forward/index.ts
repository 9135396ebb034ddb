import { definePlugin } from '../../../core/plugin.js';
import { ForwardConfig } from './config.js';
import { ForwardConnector } from './connector.js';

export default definePlugin({
  kind: 'connector',
  type: 'forward',
  description: 'Passes batches unchanged from the pipelines it exports in to the pipelines it receives in',
  stability: { 'traces->traces': 'beta', 'metrics->metrics': 'beta', 'logs->logs': 'beta' },
  config: ForwardConfig,
  create: {
    'traces->traces': (_ctx, next) => new ForwardConnector(next),
    'metrics->metrics': (_ctx, next) => new ForwardConnector(next),
    'logs->logs': (_ctx, next) => new ForwardConnector(next),
  },
});
