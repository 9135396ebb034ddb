import { context, trace } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import {
  AggregationTemporality,
  DataPointType,
  type ResourceMetrics,
  type ScopeMetrics,
} from '@opentelemetry/sdk-metrics';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { encodeRequest } from '../../../../core/otlp/encode.js';
import type { Batch, Signal } from '../../../../core/signals.js';
import { recordLogs, recordMetrics } from '../../../../core/testing/index.js';
import { mcpMetrics, resource, toolSpans } from '../../exporters/decoders/data.js';

/** What the receiver tests send: spans with links, events and statuses; every metric type; logs with and without a span. */
export interface Telemetry {
  spans: ReadableSpan[];
  metrics: ResourceMetrics[];
  logs: ReadableLogRecord[];
}

export async function telemetry(): Promise<Telemetry> {
  const spans = toolSpans();
  const [counters] = await mcpMetrics();
  const [more] = await recordMetrics(
    (provider) => {
      const meter = provider.getMeter('mcp.resources', '2.0.0');
      meter.createUpDownCounter('mcp_active_sessions').add(-3, { transport: 'stdio' });
      meter.createGauge('process_memory_bytes', { unit: 'By' }).record(123456789, { kind: 'rss' });
      meter.createGauge('cpu_ratio').record(0.25);
    },
    { resource },
  );
  if (!counters || !more) throw new Error('no metrics recorded');
  const metrics: ResourceMetrics[] = [
    { resource, scopeMetrics: [...counters.scopeMetrics, ...more.scopeMetrics, exponentialScope()] },
  ];
  const tool = spans.find((s) => s.name === 'tool_execution_search');
  if (!tool) throw new Error('no tool span');
  const logs = recordLogs(
    (provider) => {
      const logger = provider.getLogger('mcp.tools', '1.0.0');
      logger.emit({
        body: 'Tool execution started',
        severityNumber: SeverityNumber.INFO,
        severityText: 'INFO',
        attributes: { tool_name: 'search', 'retry.delays': [1, 2.5], nested: { a: 'b' } },
        context: trace.setSpanContext(context.active(), tool.spanContext()),
      });
      logger.emit({
        body: { error: 'timeout', retries: 2, raw: new Uint8Array([1, 2, 255]) },
        severityNumber: SeverityNumber.ERROR,
        eventName: 'tool.failed',
      });
    },
    { resource },
  );
  return { spans, metrics, logs };
}

/** An exponential histogram, made by hand: the SDK makes one only through a view. */
function exponentialScope(): ScopeMetrics {
  return {
    scope: { name: 'mcp.latency', version: '1.0.0' },
    metrics: [
      {
        descriptor: { name: 'mcp_latency', description: 'latency', unit: 'ms', valueType: 1 },
        dataPointType: DataPointType.EXPONENTIAL_HISTOGRAM,
        aggregationTemporality: AggregationTemporality.DELTA,
        dataPoints: [
          {
            startTime: [1_700_000_000, 123_456_789],
            endTime: [1_700_000_010, 987_654_321],
            attributes: { route: '/mcp' },
            value: {
              count: 7,
              sum: 42.5,
              min: 0.5,
              max: 20,
              scale: 3,
              zeroCount: 1,
              positive: { offset: -2, bucketCounts: [1, 0, 3] },
              negative: { offset: 1, bucketCounts: [2] },
            },
          },
        ],
      },
    ],
  };
}

/**
 * A batch as the OTLP/JSON request the SDK's own serializer makes of it: two batches that give the
 * same request carry the same data, as far as OTLP can tell.
 */
export function asOtlp<S extends Signal>(signal: S, batch: Batch<S>): unknown {
  return JSON.parse(Buffer.from(encodeRequest(signal, 'json', batch)).toString('utf8'));
}
