import type { AnyValue, AnyValueMap } from '@opentelemetry/api-logs';
import { SeverityNumber } from '@opentelemetry/api-logs';
import type { FilelogConfig } from './config.js';

/** What a record's text becomes, before the file's own attributes are added. */
export interface ParsedRecord {
  body: string;
  attributes: AnyValueMap;
  /** Milliseconds since the epoch (with a fraction for finer layouts), when the record said. */
  timeMs?: number;
  severityNumber: SeverityNumber;
  severityText?: string;
  /** Why the parser could not read the record (it is still handed on, as its text). */
  error?: string;
}

const SEVERITIES: Readonly<Record<string, SeverityNumber>> = {
  TRACE: SeverityNumber.TRACE,
  DEBUG: SeverityNumber.DEBUG,
  INFO: SeverityNumber.INFO,
  NOTICE: SeverityNumber.INFO2,
  WARN: SeverityNumber.WARN,
  WARNING: SeverityNumber.WARN,
  ERROR: SeverityNumber.ERROR,
  ERR: SeverityNumber.ERROR,
  CRITICAL: SeverityNumber.FATAL,
  FATAL: SeverityNumber.FATAL,
};

/** Makes the parser `config` describes: text in, body, attributes, time and severity out. */
export function recordParser(config: Pick<FilelogConfig, 'parser' | 'timestamp' | 'severity' | 'body_from'>) {
  const regex = config.parser?.type === 'regex' ? new RegExp(config.parser.regex) : undefined;
  return (text: string): ParsedRecord => {
    const record: ParsedRecord = { body: text, attributes: {}, severityNumber: SeverityNumber.UNSPECIFIED };
    if (config.parser?.type === 'json') {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (err) {
        record.error = `not JSON: ${(err as Error).message}`;
      }
      if (record.error === undefined && (value === null || typeof value !== 'object' || Array.isArray(value)))
        record.error = 'not a JSON object';
      else if (record.error === undefined) record.attributes = anyMap(value as Record<string, unknown>);
    } else if (regex) {
      const groups = regex.exec(text)?.groups;
      if (groups === undefined) record.error = 'the regex does not match';
      else for (const [k, v] of Object.entries(groups)) if (v !== undefined) record.attributes[k] = v;
    }
    if (config.timestamp) {
      const value = read(record, config.timestamp.parse_from);
      if (value !== undefined) {
        const ms = timeOf(value, config.timestamp.layout);
        if (ms === undefined)
          record.error ??= `cannot read the time ${JSON.stringify(value)} as ${config.timestamp.layout}`;
        else record.timeMs = ms;
      }
    }
    if (config.severity) {
      const value = read(record, config.severity.parse_from);
      if (typeof value === 'string' || typeof value === 'number') {
        record.severityText = String(value);
        record.severityNumber = SEVERITIES[String(value).toUpperCase()] ?? SeverityNumber.UNSPECIFIED;
      }
    }
    const bodyKey = config.body_from?.slice('attributes.'.length);
    if (bodyKey !== undefined && record.attributes[bodyKey] !== undefined) {
      const value = record.attributes[bodyKey];
      record.body = typeof value === 'string' ? value : JSON.stringify(value);
      delete record.attributes[bodyKey];
    }
    return record;
  };
}

function read(record: ParsedRecord, from: string): AnyValue | undefined {
  return from === 'body' ? record.body : record.attributes[from.slice('attributes.'.length)];
}

const EPOCH_SCALE = { epoch_s: 1e3, epoch_ms: 1, epoch_us: 1e-3, epoch_ns: 1e-6 } as const;
/** An ISO 8601 date-time that says its offset (Z, +02:00, -0500). */
const HAS_OFFSET = /(Z|[+-]\d\d:?\d\d)$/i;

/** Milliseconds since the epoch, or undefined when `value` does not read as `layout`. */
export function timeOf(value: AnyValue, layout: keyof typeof EPOCH_SCALE | 'iso8601'): number | undefined {
  if (layout === 'iso8601') {
    if (typeof value !== 'string' || !/^\d{4}-\d\d-\d\d[T ]\d\d:\d\d/.test(value)) return undefined;
    // Python's datetime.utcnow().isoformat() (the guide's logs) says no offset: it is UTC.
    const ms = Date.parse(HAS_OFFSET.test(value) ? value : `${value}Z`);
    return Number.isNaN(ms) ? undefined : ms;
  }
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && value.trim() !== ''
        ? Number(value)
        : NaN;
  return Number.isFinite(n) ? n * EPOCH_SCALE[layout] : undefined;
}

/** A JSON object as log attribute values: nested objects and arrays kept as they are. */
function anyMap(object: Record<string, unknown>): AnyValueMap {
  const out: AnyValueMap = {};
  for (const [k, v] of Object.entries(object)) out[k] = anyValue(v);
  return out;
}

function anyValue(value: unknown): AnyValue {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value.map(anyValue);
  if (typeof value === 'object') return anyMap(value as Record<string, unknown>);
  return value as AnyValue;
}
