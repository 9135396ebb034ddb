import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';

export const SIGNALS = ['traces', 'metrics', 'logs'] as const;
export type Signal = (typeof SIGNALS)[number];

/** The batch each signal travels in: the OpenTelemetry JS SDK's own export types. */
export interface BatchTypes {
  traces: ReadableSpan[];
  metrics: ResourceMetrics[];
  logs: ReadableLogRecord[];
}
export type Batch<S extends Signal = Signal> = BatchTypes[S];

export function isSignal(value: string): value is Signal {
  return (SIGNALS as readonly string[]).includes(value);
}

/** Items as users count them: spans, metric data points, log records. */
export function countItems<S extends Signal>(signal: S, batch: Batch<S>): number {
  if (signal !== 'metrics') return batch.length;
  let points = 0;
  for (const rm of batch as ResourceMetrics[]) {
    for (const sm of rm.scopeMetrics) for (const m of sm.metrics) points += m.dataPoints.length;
  }
  return points;
}

function copyAttributes<T extends object>(attributes: T): T {
  const copy = { ...attributes } as Record<string, unknown>;
  for (const key in copy) if (Array.isArray(copy[key])) copy[key] = [...(copy[key] as unknown[])];
  return copy as T;
}

function cloneSpan(span: ReadableSpan): ReadableSpan {
  const context = span.spanContext();
  return {
    name: span.name,
    kind: span.kind,
    spanContext: () => context,
    parentSpanContext: span.parentSpanContext,
    startTime: span.startTime,
    endTime: span.endTime,
    status: { ...span.status },
    attributes: copyAttributes(span.attributes),
    links: span.links.map((l) => ({ ...l, attributes: l.attributes && copyAttributes(l.attributes) })),
    events: span.events.map((e) => ({ ...e, attributes: e.attributes && copyAttributes(e.attributes) })),
    duration: span.duration,
    ended: span.ended,
    resource: span.resource,
    instrumentationScope: span.instrumentationScope,
    droppedAttributesCount: span.droppedAttributesCount,
    droppedEventsCount: span.droppedEventsCount,
    droppedLinksCount: span.droppedLinksCount,
  };
}

function cloneLog(log: ReadableLogRecord): ReadableLogRecord {
  return {
    hrTime: log.hrTime,
    hrTimeObserved: log.hrTimeObserved,
    spanContext: log.spanContext,
    severityText: log.severityText,
    severityNumber: log.severityNumber,
    body: typeof log.body === 'object' && log.body !== null ? structuredClone(log.body) : log.body,
    eventName: log.eventName,
    resource: log.resource,
    instrumentationScope: log.instrumentationScope,
    attributes: copyAttributes(log.attributes),
    droppedAttributesCount: log.droppedAttributesCount,
  };
}

function cloneResourceMetrics(rm: ResourceMetrics): ResourceMetrics {
  // Resources and scopes are immutable and shared; data points are plain data.
  return {
    resource: rm.resource,
    scopeMetrics: rm.scopeMetrics.map((sm) => ({
      scope: sm.scope,
      metrics: sm.metrics.map((m) => ({ ...m, dataPoints: structuredClone(m.dataPoints) }) as typeof m),
    })),
  };
}

/** A deep copy that a consumer declaring `mutatesData` may change freely. */
export function cloneBatch<S extends Signal>(signal: S, batch: Batch<S>): Batch<S> {
  switch (signal) {
    case 'traces':
      return (batch as ReadableSpan[]).map(cloneSpan) as Batch<S>;
    case 'logs':
      return (batch as ReadableLogRecord[]).map(cloneLog) as Batch<S>;
    default:
      return (batch as ResourceMetrics[]).map(cloneResourceMetrics) as Batch<S>;
  }
}
