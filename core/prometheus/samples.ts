import type { Attributes } from '@opentelemetry/api';
import { hrTimeToMilliseconds } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  type DataPoint,
  DataPointType,
  type Histogram,
  type MetricData,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import { attributeEntries } from './labels.js';
import { leText, metricNames, promType } from './naming.js';
import { identityLabels, scopeLabels } from './resource.js';

/** One sample: labels with `__name__`, time in ms, value; `delta` when it adds to the series' total. */
export type SampleSink = (labels: Record<string, string>, t: number, v: number, delta: boolean) => void;

const SKIP_LE: ReadonlySet<string> = new Set(['le']);

/**
 * The samples a scrape of the prometheus exporter (default options) would show for a batch: counters
 * as `<name>_total`, unit suffixes, histograms as `_bucket{le}` (cumulative, `+Inf` = count), `_sum`
 * and `_count`, `job`/`instance` from the resource, `otel_scope_name`/`otel_scope_version`, point
 * attributes as labels (winning over those of the same name). Each sample is stamped with its
 * point's end time. Returns the points that have no Prometheus form (exponential histograms, names
 * with nothing valid left).
 */
export function exporterSamples(batch: readonly ResourceMetrics[], sink: SampleSink): number {
  let rejected = 0;
  for (const rm of batch) {
    const resource = resourceLabels(rm.resource);
    for (const sm of rm.scopeMetrics) {
      const labels = [...scopeLabels(sm.scope), ...resource];
      const shared = { labels, key: labels.map(([n, v]) => `${n}\u0000${v}`).join('\u0001') };
      for (const metric of sm.metrics) rejected += metricSamples(metric, shared, sink);
    }
  }
  return rejected;
}

const resourceCache = new WeakMap<Resource, [string, string][]>();
function resourceLabels(resource: Resource): [string, string][] {
  const cached = resourceCache.get(resource);
  if (cached) return cached;
  const labels = identityLabels(resource.attributes);
  resourceCache.set(resource, labels);
  return labels;
}

/** The labels every series of one resource and scope carries, and a text naming them. */
interface Shared {
  readonly labels: readonly [string, string][];
  readonly key: string;
}

function metricSamples(metric: MetricData, shared: Shared, sink: SampleSink): number {
  const type = promType(metric);
  const names =
    type && metricNames(metric.descriptor.name, metric.descriptor.unit, type, { addSuffixes: true });
  if (!type || !names) return metric.dataPoints.length;
  const delta = metric.aggregationTemporality === AggregationTemporality.DELTA;
  const name = names.text;
  for (const point of metric.dataPoints) {
    const t = hrTimeToMilliseconds(point.endTime);
    if (metric.dataPointType !== DataPointType.HISTOGRAM) {
      // A delta sum adds up (a non-monotonic one too); a delta gauge does not exist.
      sink(
        labelsOf(shared, point.attributes, name),
        t,
        point.value as number,
        delta && metric.dataPointType === DataPointType.SUM,
      );
      continue;
    }
    const value = (point as DataPoint<Histogram>).value;
    const base = labelsOf(shared, point.attributes, name, SKIP_LE);
    const { boundaries, counts } = value.buckets;
    let cumulative = 0;
    for (let i = 0; i < boundaries.length; i++) {
      cumulative += counts[i] ?? 0;
      const bound = boundaries[i] as number;
      if (bound === Number.POSITIVE_INFINITY) break;
      sink(variant(base, `${name}_bucket`, leText(bound)), t, cumulative, delta);
    }
    sink(variant(base, `${name}_bucket`, '+Inf'), t, value.count, delta);
    if (value.sum !== undefined) sink(variant(base, `${name}_sum`), t, value.sum, delta);
    sink(variant(base, `${name}_count`), t, value.count, delta);
  }
  return 0;
}

/**
 * Labels of the points with this attributes object, by metric name and shared labels: the SDK hands
 * a series the same attributes object at every collection, so a series keeps one labels object
 * (and its consumers can cache by it) instead of a new one per point.
 */
const labelCache = new WeakMap<Attributes, Map<string, Record<string, string>>>();

function labelsOf(shared: Shared, attributes: Attributes, name: string, skip?: ReadonlySet<string>) {
  let byName = labelCache.get(attributes);
  if (!byName) {
    byName = new Map();
    labelCache.set(attributes, byName);
  }
  const key = `${name}\u0002${skip ? 'le' : ''}\u0002${shared.key}`;
  const cached = byName.get(key);
  if (cached) return cached;
  const labels: Record<string, string> = {};
  for (const [n, v] of shared.labels) labels[n] = v;
  for (const [n, v] of attributeEntries(attributes, skip)) labels[n] = v;
  labels.__name__ = name;
  byName.set(key, labels);
  return labels;
}

/** A histogram's series beside its base labels (`_bucket{le}`, `_sum`, `_count`), one object each. */
const variants = new WeakMap<Record<string, string>, Map<string, Record<string, string>>>();

function variant(base: Record<string, string>, name: string, le?: string): Record<string, string> {
  let byName = variants.get(base);
  if (!byName) {
    byName = new Map();
    variants.set(base, byName);
  }
  const key = le === undefined ? name : `${name}\u0000${le}`;
  let labels = byName.get(key);
  if (!labels) {
    labels = le === undefined ? { ...base, __name__: name } : { ...base, __name__: name, le };
    byName.set(key, labels);
  }
  return labels;
}
