import { definePlugin } from '../../../core/plugin.js';
import { prepareRuleFiles } from '../../../core/rules/component.js';
import { AlertRulesConfig } from './config.js';
import { AlertRulesConnector } from './connector.js';

export default definePlugin({
  kind: 'connector',
  type: 'alertrules',
  description:
    'Evaluates Prometheus rule files over a metrics pipeline and emits alert events (firing, resolved) as log records',
  stability: { 'metrics->logs': 'alpha' },
  config: AlertRulesConfig,
  prepare: prepareRuleFiles,
  create: { 'metrics->logs': (ctx, next) => new AlertRulesConnector(ctx, next) },
});
