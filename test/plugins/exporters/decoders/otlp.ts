import { join } from 'node:path';
import protobuf from 'protobufjs';
import type { Signal } from '../../../../core/signals.js';

/*
 * An OTLP decoder that shares nothing with the exporters: protobufjs reading the official
 * opentelemetry-proto definitions (test/fixtures/opentelemetry-proto). Protobuf bodies are decoded
 * as the wire says; JSON bodies are checked field by field against the same message types (an
 * unknown key is an error) and read by the OTLP/JSON rules. Both come out in one plain shape:
 * camelCase fields, every field present (defaults filled in), int64 as decimal strings, enums by
 * name, bytes as lower-case hex.
 */

const PROTO_DIR = join(import.meta.dirname, '../../../fixtures/opentelemetry-proto');

const REQUESTS: Record<Signal, string> = {
  traces: 'opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest',
  metrics: 'opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest',
  logs: 'opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest',
};

// OTLP/JSON writes these bytes fields as hex; every other bytes field is base64, as proto3 JSON says.
const HEX_FIELDS = new Set(['traceId', 'spanId', 'parentSpanId']);
const LONGS = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);

// protobufjs bundles long.js but types util.Long as a bare constructor.
const Long = protobuf.util.Long as unknown as { fromString(text: string, unsigned?: boolean): protobuf.Long };

let root: protobuf.Root | undefined;

function schema(): protobuf.Root {
  if (!root) {
    const loaded = new protobuf.Root();
    loaded.resolvePath = (_origin, target) => join(PROTO_DIR, target);
    loaded.loadSync(
      ['trace', 'metrics', 'logs'].map((s) => `opentelemetry/proto/collector/${s}/v1/${s}_service.proto`),
    );
    loaded.resolveAll();
    root = loaded;
  }
  return root;
}

export function requestType(signal: Signal): protobuf.Type {
  return schema().lookupType(REQUESTS[signal]);
}

// Plain shapes of the parts the tests read. Every field is there (defaults filled in).
export interface AnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string;
  doubleValue?: number;
  arrayValue?: { values: AnyValue[] };
  kvlistValue?: { values: KeyValue[] };
  bytesValue?: string;
}
export interface KeyValue {
  key: string;
  value: AnyValue;
}
export interface Resource {
  attributes: KeyValue[];
}
export interface Scope {
  name: string;
  version: string;
}
export interface Span {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: string;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: KeyValue[];
  events: { name: string; timeUnixNano: string; attributes: KeyValue[] }[];
  links: { traceId: string; spanId: string }[];
  status: { code: string; message: string };
}
export interface NumberPoint {
  attributes: KeyValue[];
  asInt?: string;
  asDouble?: number;
  timeUnixNano: string;
  startTimeUnixNano: string;
}
export interface HistogramPoint {
  attributes: KeyValue[];
  count: string;
  sum: number;
  bucketCounts: string[];
  explicitBounds: number[];
}
export interface Metric {
  name: string;
  unit: string;
  description: string;
  sum?: { dataPoints: NumberPoint[]; aggregationTemporality: string; isMonotonic: boolean };
  gauge?: { dataPoints: NumberPoint[] };
  histogram?: { dataPoints: HistogramPoint[]; aggregationTemporality: string };
}
export interface LogRecord {
  timeUnixNano: string;
  severityNumber: string;
  severityText: string;
  body: AnyValue;
  attributes: KeyValue[];
  traceId: string;
  spanId: string;
  eventName: string;
}
export interface TraceRequest {
  resourceSpans: { resource: Resource; scopeSpans: { scope: Scope; spans: Span[] }[] }[];
}
export interface MetricsRequest {
  resourceMetrics: { resource: Resource; scopeMetrics: { scope: Scope; metrics: Metric[] }[] }[];
}
export interface LogsRequest {
  resourceLogs: { resource: Resource; scopeLogs: { scope: Scope; logRecords: LogRecord[] }[] }[];
}
export interface Requests {
  traces: TraceRequest;
  metrics: MetricsRequest;
  logs: LogsRequest;
}

/** Decodes an export request body by its content type: `application/x-protobuf` or `application/json`. */
export function decodeOtlp<S extends Signal>(signal: S, body: Buffer, contentType: string): Requests[S] {
  const type = requestType(signal);
  if (contentType === 'application/x-protobuf') return plain(type, type.decode(body)) as Requests[S];
  if (contentType === 'application/json') {
    const json: unknown = JSON.parse(body.toString('utf8'));
    const checked = fromJson(type, json, type.name);
    const problem = type.verify(checked);
    if (problem) throw new Error(`OTLP/JSON ${type.name} does not verify: ${problem}`);
    return plain(type, type.fromObject(checked)) as Requests[S];
  }
  throw new Error(`not an OTLP content type: ${JSON.stringify(contentType)}`);
}

function plain(type: protobuf.Type, message: protobuf.Message): unknown {
  return hexBytes(type.toObject(message, { longs: String, enums: String, defaults: true, arrays: true }));
}

function hexBytes(value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  if (Array.isArray(value)) return value.map(hexBytes);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, hexBytes(v)]));
  }
  return value;
}

/** OTLP/JSON to what `Type.fromObject` takes, refusing any key the message type does not have. */
function fromJson(type: protobuf.Type, json: unknown, path: string): Record<string, unknown> {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new Error(`${path}: expected a JSON object for ${type.name}`);
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(json)) {
    const field = type.fields[key];
    if (!field) throw new Error(`${path}.${key}: ${type.name} has no field "${key}"`);
    const one = (v: unknown, at: string) => fieldFromJson(field, v, at);
    out[key] = field.repeated
      ? (value as unknown[]).map((v, i) => one(v, `${path}.${key}[${i}]`))
      : one(value, `${path}.${key}`);
  }
  return out;
}

function fieldFromJson(field: protobuf.Field, value: unknown, path: string): unknown {
  if (field.resolvedType instanceof protobuf.Type) return fromJson(field.resolvedType, value, path);
  if (field.type === 'bytes') {
    if (typeof value !== 'string') throw new Error(`${path}: bytes must be a string`);
    if (HEX_FIELDS.has(field.name)) {
      if (!/^([0-9a-f]{2})*$/.test(value)) throw new Error(`${path}: expected lower-case hex, got ${value}`);
      return Buffer.from(value, 'hex');
    }
    return Buffer.from(value, 'base64');
  }
  if (LONGS.has(field.type)) {
    // proto3 JSON writes 64-bit integers as decimal strings (numbers are accepted too).
    if (typeof value !== 'string' && typeof value !== 'number') throw new Error(`${path}: expected an int64`);
    if (!/^-?\d+$/.test(String(value))) throw new Error(`${path}: ${value} is not an integer`);
    return Long.fromString(String(value), field.type.startsWith('u') || field.type === 'fixed64');
  }
  if ((field.type === 'double' || field.type === 'float') && typeof value === 'string') {
    if (!['NaN', 'Infinity', '-Infinity'].includes(value))
      throw new Error(`${path}: ${value} is not a number`);
    return Number(value);
  }
  return value;
}

// Helpers for assertions.

/** A KeyValue list as a plain object of plain values (int64 as numbers). */
export function attributesOf(list: readonly KeyValue[]): Record<string, unknown> {
  return Object.fromEntries(list.map((kv) => [kv.key, plainValue(kv.value)]));
}

export function plainValue(value: AnyValue | undefined): unknown {
  if (!value) return undefined;
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.arrayValue) return value.arrayValue.values.map(plainValue);
  if (value.kvlistValue) return attributesOf(value.kvlistValue.values);
  if (value.bytesValue !== undefined) return value.bytesValue;
  return undefined;
}

export function spansOf(request: TraceRequest): Span[] {
  return request.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans));
}

export function metricsOf(request: MetricsRequest): Metric[] {
  return request.resourceMetrics.flatMap((rm) => rm.scopeMetrics.flatMap((sm) => sm.metrics));
}

export function logRecordsOf(request: LogsRequest): LogRecord[] {
  return request.resourceLogs.flatMap((rl) => rl.scopeLogs.flatMap((sl) => sl.logRecords));
}
