import type { Attributes, HrTime, SpanContext } from '@opentelemetry/api';
import type { SeverityNumber } from '@opentelemetry/api-logs';
import { millisToHrTime } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';

export interface LogFields {
  /** Wall clock: milliseconds since the epoch, or an HrTime the record may share with a span. */
  time: number | HrTime;
  severityNumber: SeverityNumber;
  severityText: string;
  body: string;
  attributes: Attributes;
  spanContext?: SpanContext;
}

/**
 * A log record a receiver makes from facts it already holds, as a plain object satisfying
 * ReadableLogRecord, the way decoding receivers build theirs. The SDK's LoggerProvider validates every
 * attribute of every record: for the MCP hooks' two records a request, that was most of their cost.
 */
export function logRecord(
  fields: LogFields,
  resource: Resource,
  scope: ReadableLogRecord['instrumentationScope'],
): ReadableLogRecord {
  const hrTime = typeof fields.time === 'number' ? millisToHrTime(fields.time) : fields.time;
  return {
    hrTime,
    hrTimeObserved: hrTime,
    spanContext: fields.spanContext,
    severityNumber: fields.severityNumber,
    severityText: fields.severityText,
    body: fields.body,
    resource,
    instrumentationScope: scope,
    attributes: fields.attributes,
    droppedAttributesCount: 0,
  };
}
