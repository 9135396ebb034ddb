import { definePlugin } from '../../../core/plugin.js';
import { prepareRuleFiles } from '../../../core/rules/component.js';
import { addTestRulesCommand } from '../../../core/rules/unittest/index.js';
import { AlertRulesProcessorConfig } from './config.js';
import { AlertRulesProcessor } from './processor.js';

export default definePlugin({
  kind: 'processor',
  type: 'alertrules',
  description:
    'Evaluates Prometheus rule files over the metrics passing through and adds the results (recording rules, ALERTS, ALERTS_FOR_STATE) to the pipeline',
  stability: { metrics: 'alpha' },
  config: AlertRulesProcessorConfig,
  prepare: prepareRuleFiles,
  commands: (program) => addTestRulesCommand(program),
  create: { metrics: (ctx, next) => new AlertRulesProcessor(ctx, next) },
});
