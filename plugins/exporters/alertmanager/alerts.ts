import type { AnyValue } from '@opentelemetry/api-logs';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';

/** One alert as Alertmanager's API v2 takes it (`POST /api/v2/alerts`, a JSON array of these). */
export interface PostableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL?: string;
}

const STATES = new Set(['firing', 'resolved']);

/**
 * The alert an alert event log record notifies (the alertrules connector's records: attributes
 * alert.name, alert.state, alert.labels, alert.annotations, alert.starts_at, alert.ends_at,
 * alert.generator_url), or why the record is not one.
 */
export function alertOf(record: ReadableLogRecord): PostableAlert | string {
  const a = record.attributes;
  if (typeof a['alert.name'] !== 'string') return 'it has no string attribute alert.name';
  if (!STATES.has(a['alert.state'] as string)) return 'its alert.state is not "firing" or "resolved"';
  const labels = stringMap(a['alert.labels']);
  if (labels === undefined) return 'its alert.labels is not a map of strings';
  if (Object.keys(labels).length === 0) return 'its alert.labels is empty';
  const annotations = a['alert.annotations'] === undefined ? {} : stringMap(a['alert.annotations']);
  if (annotations === undefined) return 'its alert.annotations is not a map of strings';
  const startsAt = a['alert.starts_at'];
  const endsAt = a['alert.ends_at'];
  if (!isTimestamp(startsAt)) return 'its alert.starts_at is not an RFC 3339 time';
  if (!isTimestamp(endsAt)) return 'its alert.ends_at is not an RFC 3339 time';
  const generatorURL = a['alert.generator_url'];
  const alert: PostableAlert = { labels, annotations, startsAt, endsAt };
  if (typeof generatorURL === 'string' && generatorURL !== '') alert.generatorURL = generatorURL;
  return alert;
}

function stringMap(value: AnyValue | undefined): Record<string, string> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Uint8Array) {
    return undefined;
  }
  const map: Record<string, string> = {};
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== 'string') return undefined;
    map[key] = v;
  }
  return map;
}

// RFC 3339 as Prometheus writes it: a date, a time, a fraction maybe, and Z or an offset.
const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/i;

function isTimestamp(value: AnyValue | undefined): value is string {
  return typeof value === 'string' && RFC3339.test(value) && !Number.isNaN(Date.parse(value));
}
