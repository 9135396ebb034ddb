// OpenTelemetry names to Prometheus names, per the OpenTelemetry "Prometheus and OpenMetrics
// Compatibility" specification (and the Collector's translator where the specification leaves a choice).
// One implementation for everything that shows metrics under Prometheus names: the prometheus
// exporter's scrape and the alert rules' window.

import { DataPointType, type MetricData } from '@opentelemetry/sdk-metrics';

/** How a metric is exposed. Non-monotonic sums are gauges. */
export type PromType = 'counter' | 'gauge' | 'histogram';

/** UCUM units, as OpenTelemetry instruments write them, to the word a Prometheus name ends with. */
const UNITS: Readonly<Record<string, string>> = {
  d: 'days',
  h: 'hours',
  min: 'minutes',
  s: 'seconds',
  ms: 'milliseconds',
  us: 'microseconds',
  ns: 'nanoseconds',
  By: 'bytes',
  KiBy: 'kibibytes',
  MiBy: 'mebibytes',
  GiBy: 'gibibytes',
  TiBy: 'tebibytes',
  KBy: 'kilobytes',
  MBy: 'megabytes',
  GBy: 'gigabytes',
  TBy: 'terabytes',
  m: 'meters',
  V: 'volts',
  A: 'amperes',
  J: 'joules',
  W: 'watts',
  g: 'grams',
  Cel: 'celsius',
  Hz: 'hertz',
  '%': 'percent',
};

/** The denominator of a rate unit (`By/s`): singular, after `per_`. */
const PER_UNITS: Readonly<Record<string, string>> = {
  s: 'second',
  m: 'minute',
  h: 'hour',
  d: 'day',
  w: 'week',
  mo: 'month',
  y: 'year',
};

const INVALID = /[^A-Za-z0-9_]+/g;
const REPEATED = /__+/g;

/** Characters Prometheus names cannot hold become `_`, and runs of `_` one `_`. */
export function sanitize(text: string): string {
  return text.replace(INVALID, '_').replace(REPEATED, '_');
}

/** A table's word for `unit`, never one of Object.prototype's (`toString`, `constructor`) by mistake. */
const known = (table: Readonly<Record<string, string>>, unit: string) =>
  Object.hasOwn(table, unit) ? table[unit] : undefined;

/** A unit word of a name: sanitized, no leading or trailing `_`. */
const word = (text: string) => sanitize(text).replace(/^_|_$/g, '');

/**
 * The suffix a unit adds to a name, without the leading `_`: `s` -> `seconds`, `By/s` ->
 * `bytes_per_second`, `1` -> `ratio` on a gauge (nothing otherwise); `{request}` annotations are dropped.
 */
export function unitSuffix(unit: string, type: PromType): string {
  const plain = unit.replace(/\{[^}]*\}/g, '').trim();
  if (plain === '') return '';
  if (plain === '1') return type === 'gauge' ? 'ratio' : '';
  const slash = plain.indexOf('/');
  const main = slash < 0 ? plain : plain.slice(0, slash);
  const per = slash < 0 ? '' : plain.slice(slash + 1);
  const mainWord = main === '' || main === '1' ? '' : (known(UNITS, main) ?? word(main));
  const perWord = per === '' ? '' : (known(PER_UNITS, per) ?? known(UNITS, per) ?? word(per));
  if (!perWord) return mainWord;
  return mainWord ? `${mainWord}_per_${perWord}` : `per_${perWord}`;
}

/** The Prometheus names of one metric. */
export interface MetricNames {
  /** The family name in text format 0.0.4: `mcp_requests_total`, `mcp_request_duration_seconds`. */
  text: string;
  /** The family name in OpenMetrics: a counter's without `_total` (its samples add it). */
  openMetrics: string;
  /** The unit word of `# UNIT` in OpenMetrics, when the family name ends with it; else ''. */
  unit: string;
}

export interface NamingOptions {
  namespace?: string | undefined;
  addSuffixes: boolean;
}

/**
 * The Prometheus names of an OpenTelemetry metric, or undefined when nothing valid is left of the name.
 * `mcp.server.operation.duration` (s, histogram) -> `mcp_server_operation_duration_seconds`;
 * `mcp_requests_total` (counter) stays `mcp_requests_total`; `http.requests` (counter) ->
 * `http_requests_total`; `system.memory.utilization` (1, gauge) -> `system_memory_utilization_ratio`.
 */
export function metricNames(
  name: string,
  unit: string,
  type: PromType,
  options: NamingOptions,
): MetricNames | undefined {
  // Trailing `_` would double up before a suffix: `requests.` -> `requests_total`, not `requests__total`.
  let base = sanitize(options.namespace ? `${options.namespace}_${name}` : name).replace(/_$/, '');
  if (base === '') return undefined;
  if (base.charCodeAt(0) >= 48 && base.charCodeAt(0) <= 57) base = `_${base}`;
  const counter = type === 'counter';
  let suffix = '';
  if (counter && base.length > 6 && base.endsWith('_total')) base = base.slice(0, -6);
  if (options.addSuffixes) {
    suffix = unitSuffix(unit, type);
    if (suffix && base !== suffix && !base.endsWith(`_${suffix}`)) {
      base = `${base}_${suffix}`;
    }
  } else if (counter && sanitize(name).endsWith('_total')) {
    // Without suffixes the text name is the instrument's own; OpenMetrics still needs `_total` on samples.
    return { text: `${base}_total`, openMetrics: base, unit: '' };
  }
  const unitWord = suffix && (base === suffix || base.endsWith(`_${suffix}`)) ? suffix : '';
  return { text: counter && options.addSuffixes ? `${base}_total` : base, openMetrics: base, unit: unitWord };
}

/**
 * A label name from an attribute key: invalid characters to `_`, runs of `_` to one (so no label starts
 * with the reserved `__`), and `key_` before a leading digit.
 */
export function labelName(key: string): string {
  const name = sanitize(key);
  if (name === '') return 'key_';
  const first = name.charCodeAt(0);
  return first >= 48 && first <= 57 ? `key_${name}` : name;
}

/** How a metric is exposed; undefined for what Prometheus's text format cannot show (exponential histograms). */
export function promType(metric: MetricData): PromType | undefined {
  switch (metric.dataPointType) {
    case DataPointType.SUM:
      return metric.isMonotonic ? 'counter' : 'gauge';
    case DataPointType.GAUGE:
      return 'gauge';
    case DataPointType.HISTOGRAM:
      return 'histogram';
    default:
      return undefined;
  }
}

/** A bucket bound as the `le` label writes it; the same in both formats, so series keep their identity. */
export function leText(bound: number): string {
  return bound === Number.NEGATIVE_INFINITY ? '-Inf' : String(bound);
}
