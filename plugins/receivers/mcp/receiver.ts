import type { Consumer, Receiver } from '../../../core/component.js';
import type { CreateContext } from '../../../core/plugin.js';
import { MetricSources } from '../../../core/sdk/metric-sources.js';
import type { Signal } from '../../../core/signals.js';
import type { McpConfig } from './config.js';
import { McpTelemetry } from './telemetry.js';

/** One signal's view of the shared McpTelemetry: the engine creates one per pipeline signal. */
export class McpReceiver<S extends Signal> implements Receiver {
  private readonly telemetry: McpTelemetry;
  private started = false;

  constructor(
    ctx: CreateContext<McpConfig>,
    private readonly signal: S,
    next: Consumer<S>,
  ) {
    this.telemetry = ctx.shared(
      () => new McpTelemetry(ctx.config, ctx.logger, ctx.container.resolve(MetricSources)),
    );
    this.telemetry.connect(signal, next);
  }

  async start(): Promise<void> {
    this.started = true;
    this.telemetry.start(this.signal);
  }

  async shutdown(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    await this.telemetry.shutdown(this.signal);
  }
}
