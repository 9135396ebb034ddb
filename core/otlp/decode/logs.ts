import type { SeverityNumber } from '@opentelemetry/api-logs';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import {
  anyValue,
  attributes,
  type Converted,
  hrTime,
  id,
  itemsOf,
  type Json,
  number,
  text,
} from './values.js';

/**
 * An ExportLogsServiceRequest as ReadableLogRecords. A record whose trace or span id is set but not
 * a valid id is rejected; one with neither has no span context.
 */
export function logsOf(request: Json): Converted<ReadableLogRecord> {
  const items: ReadableLogRecord[] = [];
  let rejected = 0;
  for (const { item: record, resource, scope } of itemsOf(request, [
    'resourceLogs',
    'scopeLogs',
    'logRecords',
  ])) {
    const hasContext = !!record.traceId || !!record.spanId;
    const traceId = id(record.traceId, 16);
    const spanId = id(record.spanId, 8);
    if (hasContext && (traceId === undefined || spanId === undefined)) {
      rejected++;
      continue;
    }
    const severityText = text(record.severityText, 'severityText');
    const eventName = text(record.eventName, 'eventName');
    items.push({
      hrTime: hrTime(record.timeUnixNano, 'timeUnixNano'),
      hrTimeObserved: hrTime(record.observedTimeUnixNano, 'observedTimeUnixNano'),
      spanContext:
        traceId && spanId ? { traceId, spanId, traceFlags: number(record.flags, 'flags') & 0xff } : undefined,
      severityNumber: number(record.severityNumber, 'severityNumber') as SeverityNumber,
      severityText: severityText || undefined,
      body: anyValue(record.body, 'body') as ReadableLogRecord['body'],
      eventName: eventName || undefined,
      resource,
      instrumentationScope: scope,
      attributes: attributes(record.attributes),
      droppedAttributesCount: number(record.droppedAttributesCount, 'droppedAttributesCount'),
    });
  }
  return { items, rejected, what: 'log records with an invalid trace or span id' };
}
