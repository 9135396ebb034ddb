import type { Attributes } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { logRecord } from '../sdk/log-record.js';
import type { AlertNotification } from './types.js';

/** The attributes of an alert event log record (what the alertmanager exporter reads). */
export interface AlertEventAttributes {
  'alert.name': string;
  'alert.state': 'firing' | 'resolved';
  'alert.labels': Record<string, string>;
  'alert.annotations': Record<string, string>;
  'alert.starts_at': string;
  'alert.ends_at': string;
  'alert.generator_url': string;
  'alert.value': number;
}

const SCOPE = { name: 'tributary/alertrules' };

/**
 * One alert notification as a log record: body `"<alertname> <state>"`, WARN when firing, INFO when
 * resolved, timestamped at the evaluation `t` that sent it.
 */
export function alertEventRecord(n: AlertNotification, t: number, resource: Resource): ReadableLogRecord {
  const firing = n.state === 'firing';
  const attributes: AlertEventAttributes = {
    'alert.name': n.name,
    'alert.state': n.state,
    'alert.labels': { ...n.labels },
    'alert.annotations': { ...n.annotations },
    'alert.starts_at': new Date(n.startsAt).toISOString(),
    'alert.ends_at': new Date(n.endsAt).toISOString(),
    'alert.generator_url': n.generatorUrl,
    'alert.value': n.value,
  };
  return logRecord(
    {
      time: t,
      severityNumber: firing ? SeverityNumber.WARN : SeverityNumber.INFO,
      severityText: firing ? 'WARN' : 'INFO',
      body: `${n.name} ${n.state}`,
      // Maps are log attribute values (AnyValue); the metric-style Attributes type does not say so.
      attributes: attributes as unknown as Attributes,
    },
    resource,
    SCOPE,
  );
}
