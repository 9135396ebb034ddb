import type { Field, Message } from './protobuf.js';

/*
 * The OTLP v1 request messages (opentelemetry-proto), as tables for protobuf.ts: the fields the
 * pipeline's batch types can hold. Exemplars, metric metadata and entity refs are skipped.
 */

const repeated = (name: string, type: Field['type']): Field => ({ name, type, repeated: true });

export const AnyValue: Message = {};
const KeyValue: Message = { 1: { name: 'key', type: 'string' }, 2: { name: 'value', type: AnyValue } };
const values = (type: Message): Message => ({ 1: repeated('values', type) });
Object.assign(AnyValue, {
  1: { name: 'stringValue', type: 'string' },
  2: { name: 'boolValue', type: 'bool' },
  3: { name: 'intValue', type: 'int64' },
  4: { name: 'doubleValue', type: 'double' },
  5: { name: 'arrayValue', type: values(AnyValue) },
  6: { name: 'kvlistValue', type: values(KeyValue) },
  7: { name: 'bytesValue', type: 'bytes' },
} satisfies Message);

const attributes = (n: number) => ({ [n]: repeated('attributes', KeyValue) });
const Resource: Message = { ...attributes(1) };
const Scope: Message = {
  1: { name: 'name', type: 'string' },
  2: { name: 'version', type: 'string' },
  ...attributes(3),
};

/** `Export*ServiceRequest { repeated Resource* = 1 }` and its resource and scope levels. */
function request(resourceKey: string, scopeKey: string, itemsKey: string, item: Message): Message {
  const scopeLevel: Message = {
    1: { name: 'scope', type: Scope },
    2: repeated(itemsKey, item),
    3: { name: 'schemaUrl', type: 'string' },
  };
  const resourceLevel: Message = {
    1: { name: 'resource', type: Resource },
    2: repeated(scopeKey, scopeLevel),
    3: { name: 'schemaUrl', type: 'string' },
  };
  return { 1: repeated(resourceKey, resourceLevel) };
}

// ---- traces ----

const Event: Message = {
  1: { name: 'timeUnixNano', type: 'fixed64' },
  2: { name: 'name', type: 'string' },
  ...attributes(3),
  4: { name: 'droppedAttributesCount', type: 'uint32' },
};
const Link: Message = {
  1: { name: 'traceId', type: 'id' },
  2: { name: 'spanId', type: 'id' },
  3: { name: 'traceState', type: 'string' },
  ...attributes(4),
  5: { name: 'droppedAttributesCount', type: 'uint32' },
  6: { name: 'flags', type: 'fixed32' },
};
const Span: Message = {
  1: { name: 'traceId', type: 'id' },
  2: { name: 'spanId', type: 'id' },
  3: { name: 'traceState', type: 'string' },
  4: { name: 'parentSpanId', type: 'id' },
  16: { name: 'flags', type: 'fixed32' },
  5: { name: 'name', type: 'string' },
  6: { name: 'kind', type: 'uint32' },
  7: { name: 'startTimeUnixNano', type: 'fixed64' },
  8: { name: 'endTimeUnixNano', type: 'fixed64' },
  ...attributes(9),
  10: { name: 'droppedAttributesCount', type: 'uint32' },
  11: repeated('events', Event),
  12: { name: 'droppedEventsCount', type: 'uint32' },
  13: repeated('links', Link),
  14: { name: 'droppedLinksCount', type: 'uint32' },
  15: {
    name: 'status',
    type: { 2: { name: 'message', type: 'string' }, 3: { name: 'code', type: 'uint32' } },
  },
};

// ---- metrics ----

const times = {
  2: { name: 'startTimeUnixNano', type: 'fixed64' },
  3: { name: 'timeUnixNano', type: 'fixed64' },
} satisfies Message;
const NumberDataPoint: Message = {
  ...attributes(7),
  ...times,
  4: { name: 'asDouble', type: 'double' },
  6: { name: 'asInt', type: 'sfixed64' },
};
const HistogramDataPoint: Message = {
  ...attributes(9),
  ...times,
  4: { name: 'count', type: 'fixed64' },
  5: { name: 'sum', type: 'double' },
  6: repeated('bucketCounts', 'fixed64'),
  7: repeated('explicitBounds', 'double'),
  11: { name: 'min', type: 'double' },
  12: { name: 'max', type: 'double' },
};
const Buckets: Message = { 1: { name: 'offset', type: 'sint32' }, 2: repeated('bucketCounts', 'uint64') };
const ExponentialHistogramDataPoint: Message = {
  ...attributes(1),
  ...times,
  4: { name: 'count', type: 'fixed64' },
  5: { name: 'sum', type: 'double' },
  6: { name: 'scale', type: 'sint32' },
  7: { name: 'zeroCount', type: 'fixed64' },
  8: { name: 'positive', type: Buckets },
  9: { name: 'negative', type: Buckets },
  12: { name: 'min', type: 'double' },
  13: { name: 'max', type: 'double' },
};
// Read only to count its points as rejected: the SDK's metric model has no summaries.
const SummaryDataPoint: Message = { ...attributes(7), ...times };
const points = (point: Message, temporality: boolean): Message => {
  const message: Message = { 1: repeated('dataPoints', point) };
  if (temporality) message[2] = { name: 'aggregationTemporality', type: 'uint32' };
  return message;
};
const Metric: Message = {
  1: { name: 'name', type: 'string' },
  2: { name: 'description', type: 'string' },
  3: { name: 'unit', type: 'string' },
  5: { name: 'gauge', type: points(NumberDataPoint, false) },
  7: {
    name: 'sum',
    type: { ...points(NumberDataPoint, true), 3: { name: 'isMonotonic', type: 'bool' } },
  },
  9: { name: 'histogram', type: points(HistogramDataPoint, true) },
  10: { name: 'exponentialHistogram', type: points(ExponentialHistogramDataPoint, true) },
  11: { name: 'summary', type: points(SummaryDataPoint, false) },
};

// ---- logs ----

const LogRecord: Message = {
  1: { name: 'timeUnixNano', type: 'fixed64' },
  11: { name: 'observedTimeUnixNano', type: 'fixed64' },
  2: { name: 'severityNumber', type: 'uint32' },
  3: { name: 'severityText', type: 'string' },
  5: { name: 'body', type: AnyValue },
  ...attributes(6),
  7: { name: 'droppedAttributesCount', type: 'uint32' },
  8: { name: 'flags', type: 'fixed32' },
  9: { name: 'traceId', type: 'id' },
  10: { name: 'spanId', type: 'id' },
  12: { name: 'eventName', type: 'string' },
};

export const REQUESTS = {
  traces: request('resourceSpans', 'scopeSpans', 'spans', Span),
  metrics: request('resourceMetrics', 'scopeMetrics', 'metrics', Metric),
  logs: request('resourceLogs', 'scopeLogs', 'logRecords', LogRecord),
} as const;
