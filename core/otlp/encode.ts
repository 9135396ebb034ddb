import {
  JsonLogsSerializer,
  JsonMetricsSerializer,
  JsonTraceSerializer,
  ProtobufLogsSerializer,
  ProtobufMetricsSerializer,
  ProtobufTraceSerializer,
} from '@opentelemetry/otlp-transformer';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { Batch, Signal } from '../signals.js';
import type { OtlpEncoding } from './config.js';

/**
 * The whole batch as one OTLP export request, in protobuf or OTLP/JSON, by
 * @opentelemetry/otlp-transformer's public serializers. Throws when the batch cannot be encoded.
 */
export function encodeRequest<S extends Signal>(
  signal: S,
  encoding: OtlpEncoding,
  batch: Batch<S>,
): Uint8Array {
  const proto = encoding === 'proto';
  switch (signal) {
    case 'traces': {
      const serializer = proto ? ProtobufTraceSerializer : JsonTraceSerializer;
      return encoded(serializer.serializeRequest(batch as ReadableSpan[]));
    }
    case 'logs': {
      const serializer = proto ? ProtobufLogsSerializer : JsonLogsSerializer;
      return encoded(serializer.serializeRequest(batch as ReadableLogRecord[]));
    }
    default:
      return metricsRequest(batch as ResourceMetrics[], proto);
  }
}

/**
 * The metrics serializers take one ResourceMetrics. In protobuf, two encoded messages of one type
 * concatenated decode as their merge, so the repeated `resource_metrics` fields append; in JSON the
 * arrays are joined.
 */
function metricsRequest(batch: readonly ResourceMetrics[], proto: boolean): Uint8Array {
  if (proto) return Buffer.concat(batch.map((rm) => encoded(ProtobufMetricsSerializer.serializeRequest(rm))));
  const requests = batch.map((rm) => encoded(JsonMetricsSerializer.serializeRequest(rm)));
  if (requests.length === 1) return requests[0] as Uint8Array;
  const resourceMetrics = requests.flatMap(
    (bytes) =>
      (JSON.parse(Buffer.from(bytes).toString('utf8')) as { resourceMetrics: unknown[] }).resourceMetrics,
  );
  return Buffer.from(JSON.stringify({ resourceMetrics }));
}

function encoded(bytes: Uint8Array | undefined): Uint8Array {
  if (bytes === undefined) throw new Error('the OTLP serializer returned nothing');
  return bytes;
}
