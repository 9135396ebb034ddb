import { MeterProvider } from '@opentelemetry/sdk-metrics';
import type { Consumer, Receiver } from '../../../core/component.js';
import { readTls, type TlsOptions } from '../../../core/otlp/tls.js';
import type { CreateContext } from '../../../core/plugin.js';
import { Periodic } from '../../../core/sdk/periodic.js';
import { OnDemandMetricReader } from '../../../core/sdk/readers.js';
import { processResource } from '../../../core/telemetry/resource.js';
import { check } from './check.js';
import type { HttpCheckConfig } from './config.js';
import { CheckMetrics } from './metrics.js';

/**
 * Checks every target at start and every `collection_interval`, all at once, each within its
 * timeout; then hands the metrics of that round to the pipeline. A tick that finds the last round
 * still running is skipped, so a target is never checked twice at once.
 */
export class HttpCheckReceiver implements Receiver {
  private readonly metrics: CheckMetrics;
  private readonly reader: OnDemandMetricReader;
  private readonly periodic = new Periodic(() => this.round());
  private readonly stopping = new AbortController();
  private provider?: MeterProvider;
  private tls: TlsOptions[] = [];

  constructor(
    private readonly ctx: CreateContext<HttpCheckConfig>,
    private readonly next: Consumer<'metrics'>,
  ) {
    this.metrics = new CheckMetrics(ctx.config.targets.length);
    this.reader = new OnDemandMetricReader({ metricProducers: [this.metrics] });
  }

  async start(): Promise<void> {
    // A CA or client certificate that cannot be read stops the start, not every check.
    this.tls = await Promise.all(
      this.ctx.config.targets.map((t) => readTls(t.tls, 'TRB_RECEIVER_HTTPCHECK_TLS')),
    );
    // No resource attributes, as the Collector's httpcheck receiver.
    this.provider = new MeterProvider({ resource: processResource({}), readers: [this.reader] });
    this.periodic.start(this.ctx.config.collection_interval);
    void this.periodic.run();
  }

  async shutdown(): Promise<void> {
    this.stopping.abort();
    await this.periodic.cancel();
    await this.provider?.shutdown();
  }

  private async round(): Promise<void> {
    const { targets } = this.ctx.config;
    await Promise.all(
      targets.map(async (target, i) => {
        const result = await check(target, this.tls[i] as TlsOptions, this.stopping.signal);
        this.metrics.set(i, { url: target.endpoint, method: target.method, at: Date.now(), result });
      }),
    );
    if (this.stopping.signal.aborted) return;
    try {
      const metrics = await this.reader.read();
      if (metrics) await this.next.consume([metrics]);
    } catch (err) {
      this.ctx.logger.warn({ error: (err as Error).message }, 'the pipeline refused the check results');
    }
  }
}
