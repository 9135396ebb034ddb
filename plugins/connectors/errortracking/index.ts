import { definePlugin } from '../../../core/plugin.js';
import { ErrorTrackingConfig } from './config.js';
import { ErrorTrackingConnector } from './connector.js';

export default definePlugin({
  kind: 'connector',
  type: 'errortracking',
  description:
    'Counts errors in spans and logs by type, keeps the latest of each, alerts on high error rates and emits errors_total',
  stability: {
    'traces->logs': 'alpha',
    'traces->metrics': 'alpha',
    'logs->logs': 'alpha',
    'logs->metrics': 'alpha',
  },
  config: ErrorTrackingConfig,
  create: {
    'traces->logs': (ctx, next) => new ErrorTrackingConnector(ctx, 'traces', 'logs', next),
    'traces->metrics': (ctx, next) => new ErrorTrackingConnector(ctx, 'traces', 'metrics', next),
    'logs->logs': (ctx, next) => new ErrorTrackingConnector(ctx, 'logs', 'logs', next),
    'logs->metrics': (ctx, next) => new ErrorTrackingConnector(ctx, 'logs', 'metrics', next),
  },
});
