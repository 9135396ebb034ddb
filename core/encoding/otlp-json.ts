import {
  JsonLogsSerializer,
  JsonMetricsSerializer,
  JsonTraceSerializer,
} from '@opentelemetry/otlp-transformer';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { Batch, Signal } from '../signals.js';

/*
 * OTLP/JSON lines: one ExportTraceServiceRequest / ExportMetricsServiceRequest / ExportLogsServiceRequest
 * per line, as the Collector's file exporter writes them and its otlpjsonfile receiver reads them.
 * The JSON itself is @opentelemetry/otlp-transformer's: hex ids, nanosecond times as decimal strings.
 * Traces and logs: the whole batch is one request. Metrics: one request per ResourceMetrics (the
 * serializer takes one at a time).
 */

const NEWLINE = Buffer.from('\n');

function line(bytes: Uint8Array | undefined, parts: Uint8Array[]): void {
  if (!bytes || bytes.length === 0) return;
  parts.push(bytes, NEWLINE);
}

/** The batch as OTLP/JSON lines, ready to write; empty for an empty batch. */
export function toOtlpJsonLines<S extends Signal>(signal: S, batch: Batch<S>): Buffer {
  if (batch.length === 0) return Buffer.alloc(0);
  const parts: Uint8Array[] = [];
  switch (signal) {
    case 'traces':
      line(JsonTraceSerializer.serializeRequest(batch as ReadableSpan[]), parts);
      break;
    case 'logs':
      line(JsonLogsSerializer.serializeRequest(batch as ReadableLogRecord[]), parts);
      break;
    default:
      for (const resourceMetrics of batch as ResourceMetrics[]) {
        line(JsonMetricsSerializer.serializeRequest(resourceMetrics), parts);
      }
  }
  return Buffer.concat(parts);
}
