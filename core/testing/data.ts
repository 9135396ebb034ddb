import type { Attributes, Context } from '@opentelemetry/api';
import { LoggerProvider, type LogRecordProcessor, type ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { MeterProvider, MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  type ReadableSpan,
  type Span,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';

/** `count` real, ended SDK spans named `<name>-<i>`, each with the attribute `index`. */
export function makeSpans(count: number, name = 'span'): ReadableSpan[] {
  const ended: ReadableSpan[] = [];
  const collector: SpanProcessor = {
    onStart: (_span: Span, _ctx: Context) => {},
    onEnd: (span) => void ended.push(span),
    forceFlush: async () => {},
    shutdown: async () => {},
  };
  const tracer = new BasicTracerProvider({ spanProcessors: [collector] }).getTracer('tributary-testing');
  for (let i = 0; i < count; i++) tracer.startSpan(`${name}-${i}`, { attributes: { index: i } }).end();
  return ended;
}

/** Real SDK log records, one per message, at INFO. */
export function makeLogs(messages: readonly string[], attributes: Attributes = {}): ReadableLogRecord[] {
  const emitted: ReadableLogRecord[] = [];
  const collector: LogRecordProcessor = {
    onEmit: (record) => void emitted.push(record),
    forceFlush: async () => {},
    shutdown: async () => {},
  };
  const logger = new LoggerProvider({ processors: [collector] }).getLogger('tributary-testing');
  for (const body of messages) logger.emit({ body, severityText: 'INFO', severityNumber: 9, attributes });
  return emitted;
}

class OnDemandReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

/** One real ResourceMetrics holding a counter `name` with one point per value of `series`. */
export async function makeMetrics(
  name = 'requests',
  series: readonly string[] = ['a'],
): Promise<ResourceMetrics[]> {
  const reader = new OnDemandReader();
  const provider = new MeterProvider({ readers: [reader] });
  const counter = provider.getMeter('tributary-testing').createCounter(name);
  for (const [i, s] of series.entries()) counter.add(i + 1, { series: s });
  const { resourceMetrics } = await reader.collect();
  await provider.shutdown();
  return [resourceMetrics];
}
