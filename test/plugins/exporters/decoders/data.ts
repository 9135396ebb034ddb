import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { hrTimeToMicroseconds, hrTimeToNanoseconds } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { recordLogs, recordMetrics, recordSpans } from '../../../../core/testing/index.js';

/** What the exporter tests send: an MCP server's telemetry, made with the real SDK. */

export const resource = resourceFromAttributes({ 'service.name': 'mcp-server', 'service.version': '1.0.0' });

/**
 * A request span `POST /mcp` (SERVER) with a child `tool_execution_search` that has attributes, an
 * event, a link to a span of another trace and an ERROR status; and that other trace's root span.
 */
export function toolSpans(service = resource): ReadableSpan[] {
  return recordSpans(
    (provider) => {
      const tracer = provider.getTracer('mcp.server', '1.0.0');
      const earlier = tracer.startSpan('initialize');
      earlier.end();
      const request = tracer.startSpan('POST /mcp', {
        kind: SpanKind.SERVER,
        attributes: { 'http.request.method': 'POST', 'http.response.status_code': 200 },
      });
      const tool = tracer.startSpan(
        'tool_execution_search',
        {
          attributes: { 'tool.name': 'search', 'tool.attempt': 2, 'tool.cached': false, 'tool.score': 0.5 },
          links: [{ context: earlier.spanContext() }],
        },
        trace.setSpan(context.active(), request),
      );
      tool.addEvent('tool.started', { attempt: 2 });
      tool.setStatus({ code: SpanStatusCode.ERROR, message: 'upstream timed out' });
      tool.end();
      request.end();
    },
    { resource: service },
  );
}

/** Spans by name; throws when one is missing. */
export function byName(spans: readonly ReadableSpan[]): Record<string, ReadableSpan> {
  return Object.fromEntries(spans.map((s) => [s.name, s]));
}

export const nanos = (span: ReadableSpan) => String(hrTimeToNanoseconds(span.startTime));
export const micros = (span: ReadableSpan) => BigInt(hrTimeToMicroseconds(span.startTime));

/** A counter `mcp_requests_total` (3 tools/call, 1 tools/list) and a histogram of 5 request durations. */
export function mcpMetrics(service = resource): Promise<ResourceMetrics[]> {
  return recordMetrics(
    (provider) => {
      const meter = provider.getMeter('mcp.metrics', '1.0.0');
      const requests = meter.createCounter('mcp_requests_total', { description: 'Total requests' });
      requests.add(3, { method: 'tools/call' });
      requests.add(1, { method: 'tools/list' });
      const duration = meter.createHistogram('mcp_request_duration_seconds', {
        unit: 's',
        advice: { explicitBucketBoundaries: [0.1, 0.5, 1] },
      });
      for (const seconds of [0.05, 0.2, 0.3, 0.7, 2]) duration.record(seconds);
    },
    { resource: service },
  );
}

/** An INFO record with a string body and attributes, and an ERROR record with a map body. */
export function mcpLogs(): ReadableLogRecord[] {
  return recordLogs(
    (provider) => {
      const logger = provider.getLogger('mcp.tools', '1.0.0');
      logger.emit({
        body: 'Tool execution started',
        severityNumber: SeverityNumber.INFO,
        severityText: 'INFO',
        attributes: { tool_name: 'search', execution_id: 'e-42' },
      });
      logger.emit({
        body: { error: 'timeout', retries: 2 },
        severityNumber: SeverityNumber.ERROR,
        severityText: 'ERROR',
      });
    },
    { resource },
  );
}
