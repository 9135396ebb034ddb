import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { AlertNotification } from './types.js';

/** The attributes of an alert event log record. */
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

/** One alert notification as a log record: body `"<alertname> <state>"`, WARN when firing, INFO when resolved. */
export function alertEventRecord(_n: AlertNotification): ReadableLogRecord {
  throw new Error('not implemented yet');
}
