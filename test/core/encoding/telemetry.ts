import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { expect } from 'vitest';
import { cloneBatch } from '../../../core/signals.js';
import { recordLogs, recordMetrics, recordSpans } from '../../../core/testing/index.js';

/* Real telemetry from the OpenTelemetry JS SDK, shaped like an instrumented MCP server's. */

export const resource = resourceFromAttributes({ 'service.name': 'mcp-server', 'service.version': '1.0.0' });

/** A parent span `POST /mcp` and its child `tool_execution_search`, as the SDK ends them. */
export function makeSpans(): ReadableSpan[] {
  return recordSpans(
    (provider) => {
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
    },
    { resource },
  );
}

/** Two log records: one inside a span with guide-style extra fields, one without a span. */
export function makeLogs(): ReadableLogRecord[] {
  return recordLogs(
    (provider) => {
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
    },
    { resource },
  );
}

/** The guide's metrics: a counter, an up-down counter, a gauge and a request-duration histogram. */
export function makeMetrics(): Promise<ResourceMetrics[]> {
  return recordMetrics(
    (provider) => {
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
    },
    { resource },
  );
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
  return { ...(cloneBatch('logs', [record])[0] as ReadableLogRecord), ...changes };
}

/** A plain copy of an SDK span, to vary in tests. */
export function plainSpan(span: ReadableSpan, changes: Partial<ReadableSpan> = {}): ReadableSpan {
  return { ...(cloneBatch('traces', [span])[0] as ReadableSpan), ...changes };
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
