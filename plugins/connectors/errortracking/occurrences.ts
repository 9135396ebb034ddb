import { type Attributes, type AttributeValue, SpanStatusCode } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { hrTimeToMilliseconds } from '@opentelemetry/core';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { Occurrence } from './tracker.js';

/** The type of an error that names none (no `error.type`, no `exception.type`). */
export const UNKNOWN_TYPE = 'unknown';

const text = (value: unknown): string | undefined =>
  value === undefined || value === null || value === '' ? undefined : String(value);

function context(
  attributes: Attributes | ReadableLogRecord['attributes'],
  groupBy: readonly string[],
  traceId?: string,
  spanId?: string,
) {
  const found: Record<string, AttributeValue> = {};
  if (traceId) found.trace_id = traceId;
  if (spanId) found.span_id = spanId;
  for (const key of groupBy) {
    const value = attributes[key];
    if (value !== undefined && value !== null) found[key] = value as AttributeValue;
  }
  return found;
}

/**
 * The error a span reports, if any: status ERROR, or an `exception` event on a span not marked OK
 * (OK says the exception was handled). Type: `error.type`, else the last exception's
 * `exception.type`, else "unknown"; message: the exception's, else the status message, else the span name.
 */
export function spanError(span: ReadableSpan, groupBy: readonly string[]): Occurrence | undefined {
  const status = span.status.code;
  if (status === SpanStatusCode.OK) return undefined;
  const exception = span.events.findLast((e) => e.name === 'exception')?.attributes ?? {};
  if (status !== SpanStatusCode.ERROR && !span.events.some((e) => e.name === 'exception')) return undefined;
  const { traceId, spanId } = span.spanContext();
  return {
    type: text(span.attributes['error.type']) ?? text(exception['exception.type']) ?? UNKNOWN_TYPE,
    message: text(exception['exception.message']) ?? text(span.status.message) ?? span.name,
    time: hrTimeToMilliseconds(span.endTime),
    context: context(span.attributes, groupBy, traceId, spanId),
  };
}

/**
 * The error a log record reports, if its severity is ERROR or higher. Type: `error.type`, else
 * `exception.type`, else "unknown"; message: `exception.message`, else the body.
 */
export function logError(record: ReadableLogRecord, groupBy: readonly string[]): Occurrence | undefined {
  if ((record.severityNumber ?? 0) < SeverityNumber.ERROR) return undefined;
  const a = record.attributes;
  const body = typeof record.body === 'object' ? JSON.stringify(record.body) : text(record.body);
  return {
    type: text(a['error.type']) ?? text(a['exception.type']) ?? UNKNOWN_TYPE,
    message: text(a['exception.message']) ?? body ?? '',
    time: hrTimeToMilliseconds(record.hrTime),
    context: context(a, groupBy, record.spanContext?.traceId, record.spanContext?.spanId),
  };
}
