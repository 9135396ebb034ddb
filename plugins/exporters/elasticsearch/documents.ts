import { type HrTime, SpanStatusCode } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import {
  jsonResource,
  logRecordToJsonLine,
  SPAN_KINDS,
  spanToJsonLine,
} from '../../../core/encoding/index.js';
import {
  hrTimeToMs,
  isOmitted,
  jsonAttributes,
  jsonTime,
  jsonValue,
} from '../../../core/encoding/json-value.js';
import type { Batch } from '../../../core/signals.js';
import { DEFAULT_INDEX, type ElasticsearchConfig } from './config.js';
import { IndexName } from './index-name.js';

/*
 * Log records and spans as Elasticsearch documents, built as JSON text (no object tree per item).
 * The layouts are documented in README.md ("Documents").
 */

/** One bulk operation: the action line, the document, and the size both take in the request body. */
export interface Doc {
  readonly index: string;
  readonly action: string;
  readonly source: string;
  /** UTF-8 bytes of both lines with their newlines. */
  readonly bytes: number;
}

export type OpType = 'index' | 'create';
type DocSignal = 'logs' | 'traces';

// ---- attribute keys ---------------------------------------------------------------------------

const KEY_CACHE_LIMIT = 10_000;

/**
 * Attributes are top-level fields (`tool_name`, `request_id` stay searchable as the guide's fluentd
 * wrote them). One that would collide with a field the mapping writes — the same name, a parent of
 * it (`log`, `service`) or a child of it (`message.x`, `resource.x`) — goes under `attributes.` instead.
 */
class AttributeKeys {
  private readonly cache = new Map<string, string>();

  constructor(private readonly own: readonly string[]) {}

  json(key: string): string {
    let json = this.cache.get(key);
    if (json === undefined) {
      json = JSON.stringify(this.collides(key) ? `attributes.${key}` : key);
      if (this.cache.size < KEY_CACHE_LIMIT) this.cache.set(key, json);
    }
    return json;
  }

  private collides(key: string): boolean {
    return this.own.some((f) => f === key || f.startsWith(`${key}.`) || key.startsWith(`${f}.`));
  }

  fields(attributes: object | undefined): string {
    if (!attributes) return '';
    const values = attributes as Record<string, unknown>;
    let out = '';
    for (const key of Object.keys(values)) {
      const value = values[key];
      if (isOmitted(value)) continue;
      out += `,${this.json(key)}:${jsonValue(value)}`;
    }
    return out;
  }
}

const DATA_STREAM_FIELDS = ['data_stream.type', 'data_stream.dataset', 'data_stream.namespace'];
const COMMON_FIELDS = ['@timestamp', 'trace.id', 'span.id', 'service.name', 'service.version', 'resource'];
const LOG_FIELDS = new AttributeKeys([
  ...COMMON_FIELDS,
  ...DATA_STREAM_FIELDS,
  'message',
  'log.level',
  'log.logger',
  'event.severity',
  'event.action',
  'attributes',
]);
const SPAN_FIELDS = new AttributeKeys([
  ...COMMON_FIELDS,
  ...DATA_STREAM_FIELDS,
  'span.name',
  'span.kind',
  'span.events',
  'span.links',
  'parent.id',
  'event.start',
  'event.end',
  'event.duration',
  'event.outcome',
  'error.message',
  'service.framework.name',
  'attributes',
]);

// ---- shared pieces ----------------------------------------------------------------------------

// Resources are shared by every item of a provider: their fields are encoded once.
const resourceFieldsCache = new WeakMap<object, string>();

/** `,"service.name":..,"service.version":..,"resource":{...}`; the service fields only when present. */
function resourceFields(resource: Resource | undefined): string {
  if (!resource) return ',"resource":{}';
  let fields = resourceFieldsCache.get(resource);
  if (fields === undefined) {
    const attributes = resource.attributes as Record<string, unknown>;
    fields = '';
    const name = attributes['service.name'];
    const version = attributes['service.version'];
    if (typeof name === 'string') fields += `,"service.name":${JSON.stringify(name)}`;
    if (typeof version === 'string') fields += `,"service.version":${JSON.stringify(version)}`;
    fields += `,"resource":${jsonResource(resource)}`;
    if (!resource.asyncAttributesPending) resourceFieldsCache.set(resource, fields);
  }
  return fields;
}

function isZero(time: HrTime | undefined): boolean {
  return !time || (time[0] === 0 && time[1] === 0);
}

/** A record's own time; the observed time when it has none. */
function logTime(record: ReadableLogRecord): HrTime {
  return isZero(record.hrTime) ? record.hrTimeObserved : record.hrTime;
}

const LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'].map((l) => JSON.stringify(l));

/** `severityText` as written, else the OpenTelemetry short name of `severityNumber` (9..12 -> INFO). */
function levelJson(record: ReadableLogRecord): string {
  if (record.severityText) return JSON.stringify(record.severityText);
  const n = record.severityNumber;
  if (typeof n !== 'number' || !(n >= 1 && n <= 24)) return '"UNSPECIFIED"';
  return LEVELS[Math.floor((n - 1) / 4)] ?? '"UNSPECIFIED"';
}

/** Always a string, so a `message` text mapping never conflicts: a structured body is its JSON text. */
function messageJson(body: unknown): string {
  if (typeof body === 'string') return JSON.stringify(body);
  if (body === undefined || body === null) return '""';
  return JSON.stringify(jsonValue(body));
}

/** ECS event.outcome of a span status. */
function outcomeJson(code: SpanStatusCode | undefined): string {
  if (code === SpanStatusCode.ERROR) return '"failure"';
  if (code === SpanStatusCode.OK) return '"success"';
  return '"unknown"';
}

/** Nanoseconds, as ECS event.duration. */
function durationNs(span: ReadableSpan): number {
  const d = span.duration;
  if (d && (d[0] !== 0 || d[1] !== 0)) return d[0] * 1e9 + d[1];
  return (span.endTime[0] - span.startTime[0]) * 1e9 + (span.endTime[1] - span.startTime[1]);
}

// ---- ECS documents ----------------------------------------------------------------------------

/** A log record, ECS style. `extra` is the data stream fields (or empty). */
export function ecsLogDocument(record: ReadableLogRecord, extra: string): string {
  let doc = `{"@timestamp":${jsonTime(logTime(record))},"log.level":${levelJson(record)},"message":${messageJson(record.body)}`;
  const scope = record.instrumentationScope?.name;
  if (scope) doc += `,"log.logger":${JSON.stringify(scope)}`;
  if (typeof record.severityNumber === 'number') doc += `,"event.severity":${record.severityNumber}`;
  const context = record.spanContext;
  if (context)
    doc += `,"trace.id":${JSON.stringify(context.traceId)},"span.id":${JSON.stringify(context.spanId)}`;
  if (record.eventName) doc += `,"event.action":${JSON.stringify(record.eventName)}`;
  return `${doc}${extra}${LOG_FIELDS.fields(record.attributes)}${resourceFields(record.resource)}}`;
}

/** A span, ECS style (the fields Elastic APM uses for spans). */
export function ecsSpanDocument(span: ReadableSpan, extra: string): string {
  const context = span.spanContext();
  const start = jsonTime(span.startTime);
  let doc = `{"@timestamp":${start},"span.name":${JSON.stringify(span.name)},"span.kind":${SPAN_KINDS[span.kind] ?? '"INTERNAL"'},"trace.id":${JSON.stringify(context.traceId)},"span.id":${JSON.stringify(context.spanId)}`;
  const parent = span.parentSpanContext;
  if (parent) doc += `,"parent.id":${JSON.stringify(parent.spanId)}`;
  doc += `,"event.start":${start},"event.end":${jsonTime(span.endTime)},"event.duration":${durationNs(span)},"event.outcome":${outcomeJson(span.status?.code)}`;
  if (span.status?.code === SpanStatusCode.ERROR && span.status.message) {
    doc += `,"error.message":${JSON.stringify(span.status.message)}`;
  }
  const scope = span.instrumentationScope?.name;
  if (scope) doc += `,"service.framework.name":${JSON.stringify(scope)}`;
  doc += `${extra}${SPAN_FIELDS.fields(span.attributes)}`;
  if (span.events && span.events.length > 0) {
    let separator = '';
    doc += ',"span.events":[';
    for (const event of span.events) {
      doc += `${separator}{"name":${JSON.stringify(event.name)},"@timestamp":${jsonTime(event.time)},"attributes":${jsonAttributes(event.attributes)}}`;
      separator = ',';
    }
    doc += ']';
  }
  if (span.links && span.links.length > 0) {
    let separator = '';
    doc += ',"span.links":[';
    for (const link of span.links) {
      doc += `${separator}{"trace.id":${JSON.stringify(link.context.traceId)},"span.id":${JSON.stringify(link.context.spanId)},"attributes":${jsonAttributes(link.attributes)}}`;
      separator = ',';
    }
    doc += ']';
  }
  return `${doc}${resourceFields(span.resource)}}`;
}

/** A JSON line of core/encoding with `@timestamp` put first (data streams and Kibana need it). */
function withTimestamp(time: string, line: string): string {
  return `{"@timestamp":${time},${line.slice(1, -1)}`;
}

// ---- the encoder ------------------------------------------------------------------------------

const ACTION_CACHE_LIMIT = 64;

/** Turns a batch into bulk operations: the target index of each item, its action line, its document. */
export class DocumentEncoder {
  readonly opType: OpType;
  private readonly indexName: IndexName;
  /** The data stream fields written into ECS documents, or empty. */
  private readonly extra: string;
  private readonly actions = new Map<string, string>();

  constructor(
    private readonly signal: DocSignal,
    private readonly config: Pick<ElasticsearchConfig, 'index' | 'data_stream' | 'mapping'>,
  ) {
    const stream = config.data_stream;
    if (stream) {
      const type = stream.type ?? signal;
      this.opType = 'create';
      this.indexName = IndexName.parse(`${type}-${stream.dataset}-${stream.namespace}`) as IndexName;
      this.extra = `,"data_stream.type":"${type}","data_stream.dataset":${JSON.stringify(stream.dataset)},"data_stream.namespace":${JSON.stringify(stream.namespace)}`;
    } else {
      const parsed = IndexName.parse(config.index ?? DEFAULT_INDEX);
      // The config schema has checked it already.
      if (typeof parsed === 'string') throw new Error(`invalid index: ${parsed}`);
      this.opType = 'index';
      this.indexName = parsed;
      this.extra = '';
    }
  }

  encode(batch: Batch<'logs'> | Batch<'traces'>): Doc[] {
    const docs: Doc[] = new Array(batch.length);
    const raw = this.config.mapping === 'raw';
    if (this.signal === 'logs') {
      const records = batch as ReadableLogRecord[];
      for (let i = 0; i < records.length; i++) {
        const record = records[i] as ReadableLogRecord;
        const time = logTime(record);
        const source = raw
          ? withTimestamp(jsonTime(time), logRecordToJsonLine(record))
          : ecsLogDocument(record, this.extra);
        docs[i] = this.doc(hrTimeToMs(time), source);
      }
    } else {
      const spans = batch as ReadableSpan[];
      for (let i = 0; i < spans.length; i++) {
        const span = spans[i] as ReadableSpan;
        const source = raw
          ? withTimestamp(jsonTime(span.startTime), spanToJsonLine(span))
          : ecsSpanDocument(span, this.extra);
        docs[i] = this.doc(hrTimeToMs(span.startTime), source);
      }
    }
    return docs;
  }

  private doc(ms: number, source: string): Doc {
    // An item without a valid time goes to the index of the day it is sent.
    const index = this.indexName.render(Number.isFinite(ms) ? ms : Date.now());
    const action = this.action(index);
    return { index, action, source, bytes: Buffer.byteLength(action) + Buffer.byteLength(source) + 2 };
  }

  private action(index: string): string {
    let action = this.actions.get(index);
    if (action === undefined) {
      if (this.actions.size >= ACTION_CACHE_LIMIT) this.actions.clear();
      action = `{"${this.opType}":{"_index":${JSON.stringify(index)}}}`;
      this.actions.set(index, action);
    }
    return action;
  }
}
