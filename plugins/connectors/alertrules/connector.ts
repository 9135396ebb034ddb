import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { Connector, Consumer } from '../../../core/component.js';
import type { CreateContext } from '../../../core/plugin.js';
import { alertEventRecord } from '../../../core/rules/alert-events.js';
import { loadComponentRules } from '../../../core/rules/component.js';
import type { AlertRulesConfig } from '../../../core/rules/config.js';
import { AlertRulesRunner } from '../../../core/rules/runner.js';
import { addRulesPage } from '../../../core/rules/status-page.js';
import { componentAttributes } from '../../../core/telemetry/attributes.js';
import { processResource } from '../../../core/telemetry/resource.js';

/**
 * The exporter end of a metrics pipeline and the receiver end of logs pipelines: evaluates the rule
 * files over the metrics it gets and emits one alert event log record per alert notification
 * (firing, resent every resend_delay, resolved) as Prometheus's notifier would send them.
 */
export class AlertRulesConnector implements Connector<'metrics'> {
  readonly mutatesData = false;
  private runner: AlertRulesRunner | undefined;
  private removePage: (() => void) | undefined;
  private readonly resource = processResource({});

  constructor(
    private readonly ctx: CreateContext<AlertRulesConfig>,
    private readonly next: Consumer<'logs'>,
  ) {}

  async start(): Promise<void> {
    const { config, logger, meter } = this.ctx;
    const groups = loadComponentRules(config.rule_files);
    const attributes = componentAttributes(this.ctx, 'metrics');
    this.runner = new AlertRulesRunner(groups, config, { logger, meter, attributes }, async (evaluation) => {
      if (evaluation.notifications.length === 0) return;
      const records: ReadableLogRecord[] = evaluation.notifications.map((n) =>
        alertEventRecord(n, evaluation.t, this.resource),
      );
      await this.next.consume(records);
    });
    this.runner.start();
    this.removePage = addRulesPage(this.ctx, this.runner);
  }

  async consume(batch: ResourceMetrics[]): Promise<void> {
    this.runner?.ingest(batch);
  }

  async shutdown(): Promise<void> {
    this.removePage?.();
    this.removePage = undefined;
    await this.runner?.stop();
    this.runner = undefined;
  }
}
