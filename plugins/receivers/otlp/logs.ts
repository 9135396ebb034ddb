import type { SeverityNumber } from '@opentelemetry/api-logs';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { Converted } from './convert.js';
import {
  anyValue,
  attributes,
  hrTime,
  id,
  type Json,
  list,
  number,
  object,
  resourceOf,
  scopeOf,
  text,
} from './values.js';

/**
 * An ExportLogsServiceRequest as ReadableLogRecords. A record whose trace or span id is set but not
 * a valid id is rejected; one with neither has no span context.
 */
export function logsOf(request: Json): Converted<ReadableLogRecord> {
  const items: ReadableLogRecord[] = [];
  let rejected = 0;
  for (const [r, rl] of list(request.resourceLogs, 'resourceLogs').entries()) {
    const resource = resourceOf(object(rl, 'resourceLogs'), `resourceLogs[${r}]`);
    for (const [s, sl] of list(rl.scopeLogs, 'scopeLogs').entries()) {
      const scope = scopeOf(object(sl, 'scopeLogs'), `resourceLogs[${r}].scopeLogs[${s}]`);
      for (const record of list(sl.logRecords, 'logRecords')) {
        const hasContext = !!object(record, 'logRecords').traceId || !!record.spanId;
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
            traceId && spanId
              ? { traceId, spanId, traceFlags: number(record.flags, 'flags') & 0xff }
              : undefined,
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
    }
  }
  return { items, rejected, what: 'log records with an invalid trace or span id' };
}
