import { type HrTime, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import {
  AggregationTemporality,
  DataPointType,
  type ExponentialHistogram,
  type Histogram,
  type MetricData,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { Batch, Signal } from '../signals.js';
import {
  hrTimeToMs,
  isOmitted,
  jsonAttributes,
  jsonKey,
  jsonNumber,
  jsonTime,
  jsonValue,
} from './json-value.js';

/*
 * JSON lines: one JSON object per log record, span or metric data point, each line ending in '\n'.
 * Lines are built as strings; what repeats (a resource, a metric's name and type) is encoded once.
 * The layouts are documented in plugins/exporters/stdout/README.md.
 */

/*
 * A line built from many small pieces is a rope of them inside V8; a batch of such ropes joined and
 * then turned into bytes is slow to walk (measured: twice the time of the encoding itself).
 * Reading one character flattens a line while it is small and in cache.
 */
function flat(line: string): string {
  line.charCodeAt(0);
  return line;
}

// Resources are immutable and shared by every item of a provider: encode each one once.
const resourceCache = new WeakMap<object, string>();

/** JSON text of a resource's attributes, `{}` when there is none. */
export function jsonResource(resource: Resource | undefined): string {
  if (!resource) return '{}';
  let json = resourceCache.get(resource);
  if (json === undefined) {
    json = jsonAttributes(resource.attributes);
    // Attributes still being detected may change: cache only the settled ones.
    if (!resource.asyncAttributesPending) resourceCache.set(resource, json);
  }
  return json;
}

// ---- logs -------------------------------------------------------------------------------------

const LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'].map((l) => JSON.stringify(l));
const UNSPECIFIED_LEVEL = '"UNSPECIFIED"';

/**
 * The severity text in upper case, as the guide's (and the engine's own) lines have it; without one,
 * the OpenTelemetry short name of the severity number (9..12 -> INFO), UNSPECIFIED outside 1..24.
 */
function levelJson(record: ReadableLogRecord): string {
  if (record.severityText) return JSON.stringify(record.severityText.toUpperCase());
  const n = record.severityNumber;
  if (typeof n !== 'number' || !(n >= 1 && n <= 24)) return UNSPECIFIED_LEVEL;
  return LEVELS[Math.floor((n - 1) / 4)] ?? UNSPECIFIED_LEVEL;
}

function messageJson(body: unknown): string {
  if (typeof body === 'string') return JSON.stringify(body);
  if (body === undefined || body === null) return '""';
  return JSON.stringify(jsonValue(body));
}

function isZero(time: HrTime | undefined): boolean {
  return !time || (time[0] === 0 && time[1] === 0);
}

/**
 * A log record in the monitoring guide's structured layout:
 * `{"timestamp","level","message","logger",["trace_id","span_id"],["event_name"],...attributes,"resource"}`.
 * An attribute named like a key this line already has is written as `attributes.<name>`.
 */
export function logRecordToJsonLine(record: ReadableLogRecord): string {
  const time = isZero(record.hrTime) ? record.hrTimeObserved : record.hrTime;
  let line = `{"timestamp":${jsonTime(time)},"level":${levelJson(record)},"message":${messageJson(record.body)},"logger":${JSON.stringify(record.instrumentationScope?.name ?? '')}`;
  const context = record.spanContext;
  const hasContext = context !== undefined && context !== null;
  if (hasContext) {
    line += `,"trace_id":${JSON.stringify(context.traceId)},"span_id":${JSON.stringify(context.spanId)}`;
  }
  const hasEventName = !!record.eventName;
  if (hasEventName) line += `,"event_name":${JSON.stringify(record.eventName)}`;
  const attributes = record.attributes as Record<string, unknown> | undefined;
  if (attributes) {
    for (const key of Object.keys(attributes)) {
      const value = attributes[key];
      if (isOmitted(value)) continue;
      const clash =
        key === 'timestamp' ||
        key === 'level' ||
        key === 'message' ||
        key === 'logger' ||
        key === 'resource' ||
        (hasContext && (key === 'trace_id' || key === 'span_id')) ||
        (hasEventName && key === 'event_name');
      line += `,${clash ? JSON.stringify(`attributes.${key}`) : jsonKey(key)}:${jsonValue(value)}`;
    }
  }
  return flat(`${line},"resource":${jsonResource(record.resource)}}\n`);
}

export function logsToJsonLines(batch: readonly ReadableLogRecord[]): string {
  let out = '';
  for (let i = 0; i < batch.length; i++) out += logRecordToJsonLine(batch[i] as ReadableLogRecord);
  return out;
}

// ---- traces -----------------------------------------------------------------------------------

/** Span kinds as JSON strings, ready to splice into a line. */
export const SPAN_KINDS: Record<number, string> = {
  [SpanKind.INTERNAL]: '"INTERNAL"',
  [SpanKind.SERVER]: '"SERVER"',
  [SpanKind.CLIENT]: '"CLIENT"',
  [SpanKind.PRODUCER]: '"PRODUCER"',
  [SpanKind.CONSUMER]: '"CONSUMER"',
};
const STATUS_CODES: Record<number, string> = {
  [SpanStatusCode.UNSET]: '"UNSET"',
  [SpanStatusCode.OK]: '"OK"',
  [SpanStatusCode.ERROR]: '"ERROR"',
};

/** Milliseconds with nanosecond precision and no float noise (1.2345670000000001 -> 1.234567). */
function durationMs(span: ReadableSpan): string {
  const ms = span.duration
    ? hrTimeToMs(span.duration)
    : hrTimeToMs(span.endTime) - hrTimeToMs(span.startTime);
  return jsonNumber(Math.round(ms * 1e6) / 1e6);
}

/**
 * A span:
 * `{"name","kind","trace_id","span_id","parent_span_id","start_time","end_time","duration_ms","status",
 *   "attributes","events",["links"],"scope","resource"}`.
 */
export function spanToJsonLine(span: ReadableSpan): string {
  const context = span.spanContext();
  const parent = span.parentSpanContext;
  const status = span.status;
  let line = `{"name":${JSON.stringify(span.name)},"kind":${SPAN_KINDS[span.kind] ?? '"INTERNAL"'},"trace_id":${JSON.stringify(context.traceId)},"span_id":${JSON.stringify(context.spanId)},"parent_span_id":${parent ? JSON.stringify(parent.spanId) : 'null'},"start_time":${jsonTime(span.startTime)},"end_time":${jsonTime(span.endTime)},"duration_ms":${durationMs(span)},"status":{"code":${STATUS_CODES[status?.code ?? 0] ?? '"UNSET"'}`;
  if (status?.message) line += `,"message":${JSON.stringify(status.message)}`;
  line += `},"attributes":${jsonAttributes(span.attributes)},"events":[`;
  let separator = '';
  for (const event of span.events ?? []) {
    line += `${separator}{"name":${JSON.stringify(event.name)},"time":${jsonTime(event.time)},"attributes":${jsonAttributes(event.attributes)}}`;
    separator = ',';
  }
  line += ']';
  const links = span.links;
  if (links && links.length > 0) {
    line += ',"links":[';
    separator = '';
    for (const link of links) {
      line += `${separator}{"trace_id":${JSON.stringify(link.context.traceId)},"span_id":${JSON.stringify(link.context.spanId)},"attributes":${jsonAttributes(link.attributes)}}`;
      separator = ',';
    }
    line += ']';
  }
  return flat(
    `${line},"scope":${JSON.stringify(span.instrumentationScope?.name ?? '')},"resource":${jsonResource(span.resource)}}\n`,
  );
}

export function spansToJsonLines(batch: readonly ReadableSpan[]): string {
  let out = '';
  for (let i = 0; i < batch.length; i++) out += spanToJsonLine(batch[i] as ReadableSpan);
  return out;
}

// ---- metrics ----------------------------------------------------------------------------------

function metricType(metric: MetricData): string {
  switch (metric.dataPointType) {
    case DataPointType.SUM:
      return metric.isMonotonic ? 'counter' : 'up_down_counter';
    case DataPointType.GAUGE:
      return 'gauge';
    case DataPointType.HISTOGRAM:
      return 'histogram';
    case DataPointType.EXPONENTIAL_HISTOGRAM:
      return 'exponential_histogram';
    default:
      return 'unknown';
  }
}

/** `{"name","type","unit","description"[,"temporality"]`: the same for every point of a metric. */
function metricPrefix(metric: MetricData): string {
  const d = metric.descriptor;
  let prefix = `{"name":${JSON.stringify(d.name)},"type":"${metricType(metric)}","unit":${JSON.stringify(d.unit ?? '')},"description":${JSON.stringify(d.description ?? '')}`;
  if (metric.dataPointType !== DataPointType.GAUGE) {
    const delta = metric.aggregationTemporality === AggregationTemporality.DELTA;
    prefix += `,"temporality":"${delta ? 'delta' : 'cumulative'}"`;
  }
  return prefix;
}

function optionalNumber(value: number | undefined): string {
  return typeof value === 'number' ? jsonNumber(value) : 'null';
}

/** Per-bucket (not cumulative) counts, each with its inclusive upper bound; the last bound is "+Inf". */
function histogramFields(h: Histogram): string {
  let out = `,"count":${jsonNumber(h.count)},"sum":${optionalNumber(h.sum)},"min":${optionalNumber(h.min)},"max":${optionalNumber(h.max)},"buckets":[`;
  const boundaries = h.buckets?.boundaries ?? [];
  const counts = h.buckets?.counts ?? [];
  for (let i = 0; i < counts.length; i++) {
    if (i > 0) out += ',';
    const le = i < boundaries.length ? jsonNumber(boundaries[i] as number) : '"+Inf"';
    out += `{"le":${le},"count":${jsonNumber(counts[i] as number)}}`;
  }
  return `${out}]`;
}

function bucketCounts(counts: readonly number[] | undefined): string {
  let out = '[';
  if (counts)
    for (let i = 0; i < counts.length; i++) out += (i > 0 ? ',' : '') + jsonNumber(counts[i] as number);
  return `${out}]`;
}

function exponentialHistogramFields(h: ExponentialHistogram): string {
  return `,"count":${jsonNumber(h.count)},"sum":${optionalNumber(h.sum)},"min":${optionalNumber(h.min)},"max":${optionalNumber(h.max)},"scale":${jsonNumber(h.scale)},"zero_count":${jsonNumber(h.zeroCount)},"positive":{"offset":${jsonNumber(h.positive?.offset ?? 0)},"bucket_counts":${bucketCounts(h.positive?.bucketCounts)}},"negative":{"offset":${jsonNumber(h.negative?.offset ?? 0)},"bucket_counts":${bucketCounts(h.negative?.bucketCounts)}}`;
}

function valueFields(metric: MetricData, value: unknown): string {
  switch (metric.dataPointType) {
    case DataPointType.HISTOGRAM:
      return histogramFields(value as Histogram);
    case DataPointType.EXPONENTIAL_HISTOGRAM:
      return exponentialHistogramFields(value as ExponentialHistogram);
    default:
      return `,"value":${jsonValue(value)}`;
  }
}

/**
 * Every data point of a ResourceMetrics, one line each:
 * `{"name","type","unit","description",["temporality"],"attributes","time","start_time",
 *   "value" | "count","sum","min","max",("buckets" | "scale","zero_count","positive","negative"),
 *   "scope","resource"}`.
 */
export function resourceMetricsToJsonLines(resourceMetrics: ResourceMetrics): string {
  const resource = `,"resource":${jsonResource(resourceMetrics.resource)}}\n`;
  let out = '';
  for (const scopeMetrics of resourceMetrics.scopeMetrics) {
    const suffix = `,"scope":${JSON.stringify(scopeMetrics.scope?.name ?? '')}${resource}`;
    for (const metric of scopeMetrics.metrics) {
      const prefix = metricPrefix(metric);
      const points = metric.dataPoints as MetricData['dataPoints'];
      for (let i = 0; i < points.length; i++) {
        const point = points[i];
        if (!point) continue;
        out += flat(
          `${prefix},"attributes":${jsonAttributes(point.attributes)},"time":${jsonTime(point.endTime)},"start_time":${jsonTime(point.startTime)}${valueFields(metric, point.value)}${suffix}`,
        );
      }
    }
  }
  return out;
}

export function metricsToJsonLines(batch: readonly ResourceMetrics[]): string {
  let out = '';
  for (let i = 0; i < batch.length; i++) out += resourceMetricsToJsonLines(batch[i] as ResourceMetrics);
  return out;
}

/** A whole batch as JSON lines; empty for an empty batch. */
export function toJsonLines<S extends Signal>(signal: S, batch: Batch<S>): string {
  switch (signal) {
    case 'traces':
      return spansToJsonLines(batch as ReadableSpan[]);
    case 'logs':
      return logsToJsonLines(batch as ReadableLogRecord[]);
    default:
      return metricsToJsonLines(batch as ResourceMetrics[]);
  }
}
