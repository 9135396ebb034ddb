import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { z } from 'zod';
import type { Consumer, Processor } from '../../../core/component.js';
import type { CreateContext } from '../../../core/plugin.js';
import { loadComponentRules } from '../../../core/rules/component.js';
import { ruleOutputMetrics } from '../../../core/rules/output-metrics.js';
import { AlertRulesRunner } from '../../../core/rules/runner.js';
import { addRulesPage } from '../../../core/rules/status-page.js';
import { componentAttributes } from '../../../core/telemetry/attributes.js';
import type { AlertRulesProcessorConfig } from './config.js';

/**
 * Passes metrics on unchanged, keeps them in the rules' window, and after each evaluation of a rule
 * group sends its results (recording rules, ALERTS, ALERTS_FOR_STATE) down the same pipeline.
 */
export class AlertRulesProcessor implements Processor<'metrics'> {
  readonly mutatesData = false;
  private runner: AlertRulesRunner | undefined;
  private removePage: (() => void) | undefined;

  constructor(
    private readonly ctx: CreateContext<z.output<typeof AlertRulesProcessorConfig>>,
    private readonly next: Consumer<'metrics'>,
  ) {}

  async start(): Promise<void> {
    const { config, logger, meter } = this.ctx;
    const groups = loadComponentRules(config.rule_files);
    const attributes = componentAttributes(this.ctx, 'metrics');
    this.runner = new AlertRulesRunner(groups, config, { logger, meter, attributes }, async (evaluation) => {
      const outputs = ruleOutputMetrics(evaluation.samples);
      if (outputs) await this.next.consume([outputs]);
    });
    this.runner.start();
    this.removePage = addRulesPage(this.ctx, this.runner);
  }

  consume(batch: ResourceMetrics[]): Promise<void> {
    this.runner?.ingest(batch);
    return this.next.consume(batch);
  }

  async shutdown(): Promise<void> {
    this.removePage?.();
    this.removePage = undefined;
    await this.runner?.stop();
    this.runner = undefined;
  }
}
