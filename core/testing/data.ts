import type {
  Attributes,
  Context,
  MeterProvider as MeterProviderApi,
  TracerProvider,
} from '@opentelemetry/api';
import type { LoggerProvider as LoggerProviderApi } from '@opentelemetry/api-logs';
import type { Resource } from '@opentelemetry/resources';
import { LoggerProvider, type LogRecordProcessor, type ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { MeterProvider, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  type ReadableSpan,
  type Span,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { OnDemandMetricReader } from '../sdk/readers.js';

/** `count` real, ended SDK spans named `<name>-<i>`, each with the attribute `index`. */
export function makeSpans(count: number, name = 'span'): ReadableSpan[] {
  return recordSpans((provider) => {
    const tracer = provider.getTracer('tributary-testing');
    for (let i = 0; i < count; i++) tracer.startSpan(`${name}-${i}`, { attributes: { index: i } }).end();
  });
}

/** Real SDK log records, one per message, at INFO. */
export function makeLogs(messages: readonly string[], attributes: Attributes = {}): ReadableLogRecord[] {
  return recordLogs((provider) => {
    const logger = provider.getLogger('tributary-testing');
    for (const body of messages) logger.emit({ body, severityText: 'INFO', severityNumber: 9, attributes });
  });
}

/** One real ResourceMetrics holding a counter `name` with one point per value of `series`. */
export function makeMetrics(
  name = 'requests',
  series: readonly string[] = ['a'],
): Promise<ResourceMetrics[]> {
  return recordMetrics((provider) => {
    const counter = provider.getMeter('tributary-testing').createCounter(name);
    for (const [i, s] of series.entries()) counter.add(i + 1, { series: s });
  });
}

/** For `recordSpans`, `recordLogs` and `recordMetrics`. */
export interface RecordOptions {
  /** The resource of everything recorded; the SDK's default resource when not given. */
  resource?: Resource;
}

/**
 * Real SDK spans: every span `write` ends, made with the tracers of the provider it is given. For
 * what `makeSpans` does not make: parents and children, kinds, events, status, fixed times, a resource.
 */
export function recordSpans(
  write: (provider: TracerProvider) => void,
  options: RecordOptions = {},
): ReadableSpan[] {
  const ended: ReadableSpan[] = [];
  const collector: SpanProcessor = {
    onStart: (_span: Span, _ctx: Context) => {},
    onEnd: (span) => void ended.push(span),
    forceFlush: async () => {},
    shutdown: async () => {},
  };
  write(new BasicTracerProvider({ resource: options.resource, spanProcessors: [collector] }));
  return ended;
}

/**
 * Real SDK log records: every record `write` emits with the loggers of the provider it is given. For
 * what `makeLogs` does not make: other severities, object bodies, fixed times, a span context, a resource.
 */
export function recordLogs(
  write: (provider: LoggerProviderApi) => void,
  options: RecordOptions = {},
): ReadableLogRecord[] {
  const emitted: ReadableLogRecord[] = [];
  const collector: LogRecordProcessor = {
    onEmit: (record) => void emitted.push(record),
    forceFlush: async () => {},
    shutdown: async () => {},
  };
  write(new LoggerProvider({ resource: options.resource, processors: [collector] }));
  return emitted;
}

/**
 * One real ResourceMetrics: what the meters of the provider `write` is given hold right after it
 * returns (observable callbacks run then). For what `makeMetrics` does not make: histograms, gauges,
 * up-down counters, several scopes, a resource.
 */
export async function recordMetrics(
  write: (provider: MeterProviderApi) => void,
  options: RecordOptions = {},
): Promise<ResourceMetrics[]> {
  const reader = new OnDemandMetricReader();
  const provider = new MeterProvider({ resource: options.resource, readers: [reader] });
  write(provider);
  const { resourceMetrics } = await reader.collect();
  await provider.shutdown();
  return [resourceMetrics];
}
