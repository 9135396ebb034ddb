import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider, type LogRecordProcessor, type ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { MeterProvider, MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, type ReadableSpan, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { expect } from 'vitest';

/* Real telemetry from the OpenTelemetry JS SDK, shaped like an instrumented MCP server's. */

export const resource = resourceFromAttributes({ 'service.name': 'mcp-server', 'service.version': '1.0.0' });

/** A parent span `POST /mcp` and its child `tool_execution_search`, as the SDK ends them. */
export function makeSpans(): ReadableSpan[] {
  const spans: ReadableSpan[] = [];
  const collect: SpanProcessor = {
    onStart: () => {},
    onEnd: (span) => {
      spans.push(span);
    },
    forceFlush: async () => {},
    shutdown: async () => {},
  };
  const provider = new BasicTracerProvider({ resource, spanProcessors: [collect] });
  const tracer = provider.getTracer('mcp.server', '1.0.0');
  const parent = tracer.startSpan('POST /mcp', { kind: SpanKind.SERVER, startTime: [1_700_000_000, 0] });
  const child = tracer.startSpan(
    'tool_execution_search',
    {
      attributes: { 'tool.name': 'search', 'tool.parameters': '{"q":"otel"}' },
      startTime: [1_700_000_000, 1_000_000],
    },
    trace.setSpan(context.active(), parent),
  );
  child.addEvent('tool.started', { attempt: 1 }, [1_700_000_000, 2_000_000]);
  child.setStatus({ code: SpanStatusCode.ERROR, message: 'upstream timed out' });
  child.end([1_700_000_000, 251_234_567]);
  parent.setStatus({ code: SpanStatusCode.OK });
  parent.end([1_700_000_000, 300_000_000]);
  return spans;
}

/** Two log records: one inside a span with guide-style extra fields, one without a span. */
export function makeLogs(): ReadableLogRecord[] {
  const records: ReadableLogRecord[] = [];
  const collect: LogRecordProcessor = {
    onEmit: (record) => {
      records.push(record);
    },
    forceFlush: async () => {},
    shutdown: async () => {},
  };
  const provider = new LoggerProvider({ resource, processors: [collect] });
  const logger = provider.getLogger('mcp.tools');
  const span = trace.wrapSpanContext({
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    traceFlags: 1,
  });
  logger.emit({
    timestamp: new Date('2025-03-04T05:06:07.089Z'),
    severityNumber: SeverityNumber.INFO,
    body: 'Tool execution started',
    attributes: { tool_name: 'search', execution_id: 'e-42', level: 'attribute-level' },
    context: trace.setSpan(ROOT_CONTEXT, span),
  });
  logger.emit({
    timestamp: new Date('2025-03-04T05:06:08.001Z'),
    severityNumber: SeverityNumber.ERROR2,
    body: { error: 'timeout', after_ms: 250 },
    attributes: { tool_name: 'search' },
  });
  return records;
}

/** A metric reader that collects on demand: `(await reader.collect()).resourceMetrics`. */
export class CollectingReader extends MetricReader {
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

/** The guide's metrics: a counter, an up-down counter, a gauge and a request-duration histogram. */
export async function makeMetrics(): Promise<ResourceMetrics[]> {
  const reader = new CollectingReader();
  const provider = new MeterProvider({ resource, readers: [reader] });
  const meter = provider.getMeter('mcp.metrics');
  const requests = meter.createCounter('mcp_requests_total', { description: 'Total requests' });
  requests.add(3, { method: 'tools/call', endpoint: '/mcp' });
  meter.createUpDownCounter('mcp_active_connections', { description: 'Active connections' }).add(-2);
  meter.createGauge('mcp_cpu_usage_percent', { unit: '%' }).record(42.5);
  const duration = meter.createHistogram('mcp_request_duration_seconds', {
    description: 'Request duration',
    unit: 's',
    advice: { explicitBucketBoundaries: [0.1, 0.5, 1] },
  });
  for (const seconds of [0.05, 0.2, 0.3, 0.7, 2]) duration.record(seconds);
  const { resourceMetrics } = await reader.collect();
  await provider.shutdown();
  return [resourceMetrics];
}

export function parseLines(text: string): Record<string, unknown>[] {
  expect(text.endsWith('\n')).toBe(true);
  return text
    .slice(0, -1)
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** A plain copy of an SDK log record (whose fields are getters, lost by `{ ...record }`), to vary in tests. */
export function plainLog(
  record: ReadableLogRecord,
  changes: Partial<ReadableLogRecord> = {},
): ReadableLogRecord {
  return {
    hrTime: record.hrTime,
    hrTimeObserved: record.hrTimeObserved,
    spanContext: record.spanContext,
    severityText: record.severityText,
    severityNumber: record.severityNumber,
    body: record.body,
    eventName: record.eventName,
    resource: record.resource,
    instrumentationScope: record.instrumentationScope,
    attributes: record.attributes,
    droppedAttributesCount: record.droppedAttributesCount,
    ...changes,
  };
}

/** A plain copy of an SDK span, to vary in tests. */
export function plainSpan(span: ReadableSpan, changes: Partial<ReadableSpan> = {}): ReadableSpan {
  const spanContext = span.spanContext();
  return {
    name: span.name,
    kind: span.kind,
    spanContext: () => spanContext,
    parentSpanContext: span.parentSpanContext,
    startTime: span.startTime,
    endTime: span.endTime,
    status: span.status,
    attributes: span.attributes,
    links: span.links,
    events: span.events,
    duration: span.duration,
    ended: span.ended,
    resource: span.resource,
    instrumentationScope: span.instrumentationScope,
    droppedAttributesCount: span.droppedAttributesCount,
    droppedEventsCount: span.droppedEventsCount,
    droppedLinksCount: span.droppedLinksCount,
    ...changes,
  };
}

interface OtlpKeyValue {
  key: string;
  value: Record<string, unknown>;
}
interface OtlpResource {
  attributes: OtlpKeyValue[];
}
interface OtlpScope {
  name: string;
}

/** The parts of an OTLP/JSON export request the tests read. */
export interface OtlpJsonRequest {
  resourceSpans: {
    resource: OtlpResource;
    scopeSpans: {
      scope: OtlpScope;
      spans: { name: string; spanId: string; parentSpanId?: string; startTimeUnixNano: string }[];
    }[];
  }[];
  resourceMetrics: {
    scopeMetrics: {
      metrics: { name: string; histogram?: { dataPoints: Record<string, unknown>[] } }[];
    }[];
  }[];
  resourceLogs: {
    scopeLogs: { logRecords: Record<string, unknown>[] }[];
  }[];
}

/** Each line of OTLP/JSON text as an export request. */
export function parseOtlpLines(text: string): OtlpJsonRequest[] {
  return parseLines(text) as unknown as OtlpJsonRequest[];
}
