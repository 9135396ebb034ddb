import type { Consumer, Receiver } from '../../../core/component.js';
import type { CreateContext } from '../../../core/plugin.js';
import { MetricSources } from '../../../core/sdk/metric-sources.js';
import { SelfTelemetry } from '../../../core/telemetry/self.js';
import type { SelfTelemetryConfig } from './config.js';

/**
 * Collects the engine's own metrics on an interval, when a pull exporter is scraped, and once more at
 * shutdown so the last counts leave.
 */
export class SelfTelemetryReceiver implements Receiver {
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private removeSource?: () => void;

  constructor(
    private readonly ctx: CreateContext<SelfTelemetryConfig>,
    private readonly next: Consumer<'metrics'>,
  ) {}

  async start(): Promise<void> {
    const interval = this.ctx.config.collection_interval;
    this.timer = setInterval(() => void this.collect(), interval);
    this.timer.unref();
    this.removeSource = this.ctx.container.resolve(MetricSources).add(() => this.collect());
  }

  async shutdown(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.removeSource?.();
    clearInterval(this.timer);
    if (this.timer) await this.collect();
  }

  private async collect(): Promise<void> {
    try {
      const metrics = await this.ctx.container.resolve(SelfTelemetry).collect();
      if (metrics.scopeMetrics.length) await this.next.consume([metrics]);
    } catch (err) {
      this.ctx.logger.warn(
        { err: (err as Error).message },
        'self-telemetry metrics were refused by the pipeline',
      );
    }
  }
}
