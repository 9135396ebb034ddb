import type { Attributes } from '@opentelemetry/api';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { MetricData } from '@opentelemetry/sdk-metrics';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { attributesMatcher, type MatchType, textMatcher } from '../../../core/attributes/match.js';
import { type LogConditions, type MetricConditions, SEVERITY, type SpanConditions } from './config.js';

type Test<T> = (item: T) => boolean;

const attributes = (list: { key: string; value: string | number | boolean }[] | undefined, type: MatchType) =>
  list && attributesMatcher(Object.fromEntries(list.map((a) => [a.key, a.value])), type);

/** Every test given must pass. */
const all =
  <T>(tests: (Test<T> | undefined)[]): Test<T> =>
  (item) =>
    tests.every((test) => !test || test(item));

export function spanTest(c: SpanConditions): Test<ReadableSpan> {
  const names = c.span_names && textMatcher(c.span_names, c.match_type);
  const attrs = attributes(c.attributes, c.match_type);
  return all([names && ((s) => names(s.name)), attrs && ((s) => attrs(s.attributes))]);
}

export function logTest(c: LogConditions): Test<ReadableLogRecord> {
  const bodies = c.bodies && textMatcher(c.bodies, c.match_type);
  const texts = c.severity_texts && textMatcher(c.severity_texts, c.match_type);
  const attrs = attributes(c.record_attributes, c.match_type);
  const severity = c.severity_number;
  const min = severity && (typeof severity.min === 'number' ? severity.min : SEVERITY[severity.min]);
  return all([
    bodies &&
      ((r) => r.body !== undefined && bodies(typeof r.body === 'string' ? r.body : JSON.stringify(r.body))),
    texts && ((r) => r.severityText !== undefined && texts(r.severityText)),
    attrs && ((r) => attrs(r.attributes as Attributes)),
    severity && ((r) => (r.severityNumber ? r.severityNumber >= (min as number) : severity.match_undefined)),
  ]);
}

/** Metric names decide for a whole metric; attributes for each of its points. */
export function metricTests(c: MetricConditions): { metric: Test<MetricData>; point: Test<Attributes> } {
  const names = c.metric_names && textMatcher(c.metric_names, c.match_type);
  return {
    metric: (m) => !names || names(m.descriptor.name),
    point: attributes(c.attributes, c.match_type) ?? (() => true),
  };
}
