import type { Attributes, Counter } from '@opentelemetry/api';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { Consumer, Host, Processor } from '../../../core/component.js';
import type { CreateContext } from '../../../core/plugin.js';
import { type Batch, cloneBatch, type Signal } from '../../../core/signals.js';
import { componentAttributes } from '../../../core/telemetry/attributes.js';
import type { RedactionConfig } from './config.js';
import { type RedactionCount, Redactor } from './redactor.js';

type Mutable = Record<string, unknown>;

/**
 * Masks secrets in span, event and link attributes, log attributes and bodies, and metric point
 * attributes. Resources are left alone: they are shared between pipelines and describe the service.
 */
export class RedactionProcessor<S extends Signal> implements Processor<S> {
  readonly mutatesData = true;
  private readonly redactor: Redactor;
  private readonly maskedValues: Counter;
  private readonly deletedKeys: Counter;
  private readonly attributes: Attributes;

  constructor(
    private readonly signal: S,
    config: RedactionConfig,
    private readonly next: Consumer<S>,
    ctx: CreateContext,
  ) {
    this.redactor = new Redactor(config);
    this.attributes = componentAttributes(ctx, signal);
    this.maskedValues = ctx.meter.createCounter('tributary_processor_redaction_masked_values', {
      description: 'Values (or parts of values) masked because of their key or what they contain',
      unit: '{value}',
    });
    this.deletedKeys = ctx.meter.createCounter('tributary_processor_redaction_deleted_keys', {
      description: 'Attributes deleted because allow_all_keys is false and their key is not allowed',
      unit: '{attribute}',
    });
  }

  async start(_host: Host): Promise<void> {}

  consume(batch: Batch<S>): Promise<void> {
    const count: RedactionCount = { masked: 0, deleted: 0 };
    if (this.signal === 'traces') for (const span of batch as ReadableSpan[]) this.span(span, count);
    else if (this.signal === 'logs') this.logs(batch as ReadableLogRecord[], count);
    else for (const rm of batch as ResourceMetrics[]) this.metrics(rm, count);
    if (count.masked > 0) this.maskedValues.add(count.masked, this.attributes);
    if (count.deleted > 0) this.deletedKeys.add(count.deleted, this.attributes);
    return this.next.consume(batch);
  }

  async shutdown(): Promise<void> {}

  private span(span: ReadableSpan, count: RedactionCount): void {
    this.redactor.attributes(span.attributes as Mutable, count);
    for (const event of span.events) this.redactor.attributes(event.attributes as Mutable | undefined, count);
    for (const link of span.links) this.redactor.attributes(link.attributes as Mutable | undefined, count);
  }

  private logs(logs: ReadableLogRecord[], count: RedactionCount): void {
    for (const [i, log] of logs.entries()) {
      this.redactor.attributes(log.attributes as Mutable, count);
      const body = this.redactor.value(undefined, log.body, count);
      if (body === log.body) continue;
      // An SDK record ignores a new body once emitted: the batch gets a plain copy that carries it.
      const copy = cloneBatch('logs', [log])[0] as ReadableLogRecord;
      logs[i] = { ...copy, body: body as ReadableLogRecord['body'] };
    }
  }

  private metrics(rm: ResourceMetrics, count: RedactionCount): void {
    for (const sm of rm.scopeMetrics)
      for (const m of sm.metrics)
        for (const point of m.dataPoints) this.redactor.attributes(point.attributes as Mutable, count);
  }
}
