import { type Attributes, type HrTime, ValueType } from '@opentelemetry/api';
import { millisToHrTime } from '@opentelemetry/core';
import {
  AggregationTemporality,
  type DataPoint,
  DataPointType,
  type Histogram,
  type MetricData,
} from '@opentelemetry/sdk-metrics';
import type { ParsedFamily, Sample } from './parse.js';

/** The labels a target adds to every series (job, instance, static_configs labels), and how conflicts go. */
export interface TargetLabels {
  job: string;
  instance: string;
  /** Every target label, job and instance included. */
  labels: readonly [string, string][];
  honorLabels: boolean;
}

/**
 * Start times of cumulative series, kept from one scrape to the next: a series starts at the scrape
 * that first saw it (or at its `_created`), and again when its value goes down (a reset). Only the
 * last scrape's series are held, so the memory follows the size of one scrape.
 */
export class StartTimes {
  private last = new Map<string, { start: HrTime; value: number }>();
  private current = new Map<string, { start: HrTime; value: number }>();

  /** The start of series `key` whose cumulative value is `value` now; `created` (ms) wins when given. */
  startOf(key: string, value: number, now: HrTime, createdMs?: number): HrTime {
    const prev = this.last.get(key);
    const start =
      createdMs !== undefined
        ? millisToHrTime(createdMs)
        : prev !== undefined && !(value < prev.value)
          ? prev.start
          : now;
    this.current.set(key, { start, value });
    return start;
  }

  /** Notes a series that has no start (a gauge), so scrape_series_added counts it too. */
  seen(key: string, now: HrTime): void {
    if (!this.current.has(key)) this.current.set(key, { start: now, value: 0 });
  }

  /** Ends a scrape: what it saw is what the next one compares with. Returns the series new in it. */
  endScrape(): number {
    let added = 0;
    for (const key of this.current.keys()) if (!this.last.has(key)) added++;
    this.last = this.current;
    this.current = new Map();
    return added;
  }

  /** A failed scrape: every series starts over when the target is back. */
  forget(): void {
    this.last = new Map();
    this.current = new Map();
  }
}

/**
 * The samples of one scrape as OpenTelemetry metrics, with the names and labels Prometheus would store:
 * counters are monotonic cumulative sums named as their samples (`requests_total`), histograms
 * explicit-bucket histograms (named as the family; the exporter adds `_bucket`/`_sum`/`_count`),
 * gauges, untyped and every other sample (summary quantiles, `_sum`, `_count`, info, stateset) gauges.
 */
export function toMetrics(
  families: readonly ParsedFamily[],
  target: TargetLabels,
  starts: StartTimes,
  nowMs: number,
): MetricData[] {
  const metrics = new Map<string, MetricData>();
  const now = millisToHrTime(nowMs);
  const timeOf = (sample: Sample) =>
    sample.timestampMs === undefined ? now : millisToHrTime(sample.timestampMs);

  const metric = (name: string, family: ParsedFamily, type: DataPointType, monotonic = false): MetricData => {
    const key = `${name}\u0000${type}`;
    let data = metrics.get(key);
    if (!data) {
      data = {
        descriptor: {
          name,
          description: family.help,
          unit: unitOf(name, family),
          valueType: ValueType.DOUBLE,
        },
        aggregationTemporality: AggregationTemporality.CUMULATIVE,
        dataPointType: type,
        dataPoints: [],
        ...(type === DataPointType.SUM ? { isMonotonic: monotonic } : {}),
      } as MetricData;
      metrics.set(key, data);
    }
    return data;
  };
  const gauge = (family: ParsedFamily, sample: Sample) => {
    starts.seen(`${sample.name}${labelKey(sample.labels)}`, now);
    const point: DataPoint<number> = {
      startTime: timeOf(sample),
      endTime: timeOf(sample),
      attributes: attributesOf(sample.labels, target),
      value: sample.value,
    };
    (metric(sample.name, family, DataPointType.GAUGE).dataPoints as DataPoint<number>[]).push(point);
  };

  for (const family of families) {
    if (family.type === 'counter') counters(family, target, starts, now, timeOf, metric);
    else if (family.type === 'histogram') histograms(family, target, starts, now, metric, gauge);
    else
      for (const sample of family.samples)
        if (sample.name !== `${family.name}_created`) gauge(family, sample);
  }
  return [...metrics.values()];
}

type MetricOf = (name: string, family: ParsedFamily, type: DataPointType, monotonic?: boolean) => MetricData;
type GaugeOf = (family: ParsedFamily, sample: Sample) => void;

function counters(
  family: ParsedFamily,
  target: TargetLabels,
  starts: StartTimes,
  now: HrTime,
  timeOf: (s: Sample) => HrTime,
  metric: MetricOf,
): void {
  const createdName = `${family.name}_created`;
  const created = createdByLabels(family, createdName);
  for (const sample of family.samples) {
    if (sample.name === createdName) continue;
    const attributes = attributesOf(sample.labels, target);
    const key = labelKey(sample.labels);
    const start = starts.startOf(`${sample.name}${key}`, sample.value, now, created.get(key));
    (metric(sample.name, family, DataPointType.SUM, true).dataPoints as DataPoint<number>[]).push({
      startTime: start,
      endTime: timeOf(sample),
      attributes,
      value: sample.value,
    });
  }
}

interface Buckets {
  labels: [string, string][];
  bounds: [bound: number, cumulative: number][];
  sum?: number;
  count?: number;
  timestampMs?: number;
}

function histograms(
  family: ParsedFamily,
  target: TargetLabels,
  starts: StartTimes,
  now: HrTime,
  metric: MetricOf,
  gauge: GaugeOf,
): void {
  const { name } = family;
  const createdName = `${name}_created`;
  const created = createdByLabels(family, createdName);
  const series = new Map<string, Buckets>();
  for (const sample of family.samples) {
    if (sample.name === createdName) continue;
    const le = sample.name === `${name}_bucket` ? sample.labels.find(([n]) => n === 'le') : undefined;
    const labels = le ? sample.labels.filter((l) => l !== le) : sample.labels;
    const key = labelKey(labels);
    let s = series.get(key);
    if (!s) {
      s = { labels, bounds: [] };
      series.set(key, s);
    }
    s.timestampMs ??= sample.timestampMs;
    if (le) s.bounds.push([Number(le[1] === '+Inf' ? Number.POSITIVE_INFINITY : le[1]), sample.value]);
    else if (sample.name === `${name}_sum`) s.sum = sample.value;
    else if (sample.name === `${name}_count`) s.count = sample.value;
    else gauge(family, sample); // a sample of the family's own name, or a bucket without le: kept as is
  }
  for (const [key, s] of series) {
    s.bounds.sort((a, b) => a[0] - b[0]);
    const inf = s.bounds.at(-1)?.[0] === Number.POSITIVE_INFINITY ? s.bounds.pop() : undefined;
    const count = s.count ?? inf?.[1] ?? s.bounds.at(-1)?.[1] ?? 0;
    // Prometheus's buckets are cumulative; OpenTelemetry's count each bucket alone, the last above every bound.
    const counts: number[] = [];
    let below = 0;
    for (const [, cumulative] of s.bounds) {
      counts.push(cumulative - below);
      below = cumulative;
    }
    counts.push(count - below);
    const value: Histogram = {
      buckets: { boundaries: s.bounds.map(([b]) => b), counts },
      count,
      ...(s.sum === undefined ? {} : { sum: s.sum }),
    };
    const end = s.timestampMs === undefined ? now : millisToHrTime(s.timestampMs);
    (metric(name, family, DataPointType.HISTOGRAM).dataPoints as DataPoint<Histogram>[]).push({
      startTime: starts.startOf(`${name}${key}`, count, now, created.get(key)),
      endTime: end,
      attributes: attributesOf(s.labels, target),
      value,
    });
  }
}

/** `_created` samples (seconds) by the label key of the series they date, in milliseconds. */
function createdByLabels(family: ParsedFamily, createdName: string): Map<string, number> {
  const created = new Map<string, number>();
  for (const sample of family.samples)
    if (sample.name === createdName) created.set(labelKey(sample.labels), sample.value * 1000);
  return created;
}

/**
 * A point's attributes: the sample's labels with the target's added as Prometheus adds them (a
 * scraped label of the same name becomes `exported_<name>`, unless honor_labels keeps it), empty
 * values dropped. job and instance equal to the target's are left to the resource.
 */
export function attributesOf(sampleLabels: readonly [string, string][], target: TargetLabels): Attributes {
  const labels: Record<string, string> = {};
  for (const [name, value] of sampleLabels) if (value !== '') labels[name] = value;
  const conflicts: [string, string][] = [];
  for (const [name, value] of target.labels) {
    const scraped = labels[name];
    if (scraped !== undefined) {
      if (target.honorLabels) continue;
      conflicts.push([name, scraped]);
    }
    labels[name] = value;
  }
  for (const [name, value] of conflicts) {
    let exported = `exported_${name}`;
    while (labels[exported] !== undefined) exported = `exported_${exported}`;
    labels[exported] = value;
  }
  if (labels.job === target.job) delete labels.job;
  if (labels.instance === target.instance) delete labels.instance;
  return labels;
}

/** A series' identity within its metric: its labels, sorted. */
function labelKey(labels: readonly [string, string][]): string {
  if (labels.length === 0) return '{}';
  const sorted = labels.length > 1 ? [...labels].sort((a, b) => (a[0] < b[0] ? -1 : 1)) : labels;
  return JSON.stringify(sorted);
}

/**
 * OpenMetrics `# UNIT`, only when the name ends with it (as OpenMetrics requires), so an exporter
 * that appends units to names finds it already there.
 */
function unitOf(name: string, family: ParsedFamily): string {
  const unit = family.unit;
  if (unit === '') return '';
  const base = name.endsWith('_total') ? name.slice(0, -6) : name;
  return base.endsWith(`_${unit}`) ? unit : '';
}
