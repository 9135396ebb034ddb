import type { Attributes } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  type DataPoint,
  DataPointType,
  type Histogram,
  type MetricData,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import { attributeLabels, attributePairs, label } from '../../../core/prometheus/labels.js';
import {
  labelName,
  type MetricNames,
  metricNames,
  type PromType,
  promType,
} from '../../../core/prometheus/naming.js';
import { identityLabels, scopeLabels } from '../../../core/prometheus/resource.js';
import { Family, type HistogramSeries, isEarlier, type ScalarSeries, type Series } from './series.js';

export interface StoreOptions {
  namespace?: string | undefined;
  constLabels: Readonly<Record<string, string>>;
  resourceToTelemetry: boolean;
  /** Milliseconds without an update after which a series disappears; 0: never. */
  expirationMs: number;
  addSuffixes: boolean;
  targetInfo: boolean;
}

const SAMPLE_SUFFIXES: Readonly<Record<PromType, readonly string[]>> = {
  counter: ['_total', '_created'],
  gauge: [''],
  histogram: ['_bucket', '_sum', '_count', '_created'],
};

/** The family names (text and OpenMetrics) and every sample name a family of `type` writes. */
function exposedNames(names: MetricNames, type: PromType): string[] {
  return [names.text, names.openMetrics, ...SAMPLE_SUFFIXES[type].map((s) => `${names.openMetrics}${s}`)];
}

/** Points that cannot be exposed, by why; the exporter counts and logs them. */
export type Rejection = 'exponential_histogram' | 'type_conflict' | 'invalid_name';

export interface FoldResult {
  accepted: number;
  rejected: number;
  /** The first metric rejected in this batch and why, for a log line. */
  firstRejection?: { metric: string; reason: Rejection; detail: string };
}

/** Labels every series of one resource and scope carries: job/instance (or all resource attributes), scope, const. */
interface LabelSet {
  text: string;
  /** The label pairs, for the rare point that sets a label of its own with one of these names. */
  pairs: readonly [name: string, text: string][];
  names: ReadonlySet<string>;
}

interface ResourceEntry {
  /** job/instance (or every attribute) + const labels. */
  labels: LabelSet;
  /** target_info's label text; undefined when the resource says nothing beyond job and instance. */
  targetInfo?: string;
  scopes: WeakMap<object, LabelSet>;
}

interface PointLabels {
  text: string;
  names: readonly string[];
}

const TARGET_INFO: MetricNames = { text: 'target_info', openMetrics: 'target_info', unit: '' };
const IDENTIFYING = new Set(['service.name', 'service.namespace', 'service.instance.id']);
const SKIP_LE: ReadonlySet<string> = new Set(['le']);

/**
 * The exporter's state: cumulative series folded from the ResourceMetrics pushed into it. Cumulative
 * points and gauges replace; delta sums and histograms add up (keeping the first start time). Names and
 * label text are worked out once per series, when it is created.
 */
export class MetricStore {
  /** By family name in OpenMetrics (a counter's without `_total`), in the order first seen. */
  readonly families = new Map<string, Family>();
  seriesCount = 0;
  /** Bytes of the last exposition: the next one is written into a buffer about this big. */
  lastScrapeBytes = 0;
  private readonly resources = new WeakMap<Resource, ResourceEntry>();
  /** Label text of point attribute sets: the SDK hands the same attributes object for a series each time. */
  private readonly pointLabels = new WeakMap<Attributes, PointLabels>();
  private readonly names = new Map<string, MetricNames | undefined>();
  /** Every name a family writes (family names in both formats, sample names), to the family writing it. */
  private readonly owners = new Map<string, Family>();
  private readonly constLabels: readonly [string, string][];
  private lastSweep = 0;

  constructor(private readonly options: StoreOptions) {
    this.constLabels = Object.entries(options.constLabels).map(([k, v]) => [
      labelName(k),
      label(labelName(k), v),
    ]);
    if (options.targetInfo)
      this.families.set('target_info', new Family(TARGET_INFO, 'gauge', 'Target metadata', ''));
  }

  /** Folds a batch into the series; `now` (Date.now()) stamps what was updated. */
  fold(batch: readonly ResourceMetrics[], now: number): FoldResult {
    const result: FoldResult = { accepted: 0, rejected: 0 };
    for (const rm of batch) {
      const resource = this.resourceEntry(rm.resource);
      if (resource.targetInfo !== undefined) this.touchTargetInfo(resource.targetInfo, now);
      for (const sm of rm.scopeMetrics) {
        const scoped = this.scopeLabels(resource, sm.scope);
        for (const metric of sm.metrics) this.foldMetric(metric, scoped, now, result);
      }
    }
    if (this.options.expirationMs > 0 && now - this.lastSweep >= this.options.expirationMs) this.expire(now);
    return result;
  }

  /** Removes series not updated for metric_expiration; returns how many went. */
  expire(now: number): number {
    this.lastSweep = now;
    if (this.options.expirationMs <= 0) return 0;
    const cutoff = now - this.options.expirationMs;
    let removed = 0;
    for (const [name, family] of this.families) {
      for (const [key, series] of family.series) {
        if (series.updated < cutoff) {
          family.series.delete(key);
          removed++;
        }
      }
      if (family.series.size === 0 && name !== 'target_info') {
        this.families.delete(name);
        for (const n of exposedNames(family.names, family.type)) this.owners.delete(n);
      }
    }
    this.seriesCount -= removed;
    return removed;
  }

  private foldMetric(metric: MetricData, scoped: LabelSet, now: number, result: FoldResult): void {
    const points = metric.dataPoints.length;
    if (points === 0) return;
    const type = promType(metric);
    const family = type === undefined ? undefined : this.familyOf(metric, type, result);
    if (type === undefined || family === undefined) {
      result.rejected += points;
      if (type === undefined) result.firstRejection ??= rejection(metric, 'exponential_histogram');
      return;
    }
    const delta = metric.aggregationTemporality === AggregationTemporality.DELTA;
    if (type === 'histogram') {
      for (const point of metric.dataPoints as DataPoint<Histogram>[]) {
        const series = this.seriesOf(family, point.attributes, scoped, true) as HistogramSeries;
        if (!takes(series, point, delta)) continue;
        if (delta) series.add(point.value);
        else series.replace(point.value);
        series.updated = now;
      }
    } else {
      // Delta sums add up (a non-monotonic one exposed as a gauge too); cumulative sums and gauges replace.
      const adds = delta && metric.dataPointType === DataPointType.SUM;
      for (const point of metric.dataPoints as DataPoint<number>[]) {
        const series = this.seriesOf(family, point.attributes, scoped, false) as ScalarSeries;
        if (!takes(series, point, adds)) continue;
        if (adds) series.value += point.value;
        else series.value = point.value;
        series.updated = now;
      }
    }
    result.accepted += points;
  }

  /** The family a metric's points go to; undefined (and a rejection noted) when they cannot be exposed. */
  private familyOf(metric: MetricData, type: PromType, result: FoldResult): Family | undefined {
    const names = this.namesOf(metric, type);
    if (names === undefined) {
      result.firstRejection ??= rejection(metric, 'invalid_name');
      return undefined;
    }
    const description = metric.descriptor.description;
    const family = this.families.get(names.openMetrics);
    if (family === undefined) {
      // A name another family writes would make two families of one name, or samples of another's.
      const exposed = exposedNames(names, type);
      const taken = exposed.map((n) => this.owners.get(n)).find((owner) => owner !== undefined);
      if (taken !== undefined) {
        result.firstRejection ??= rejection(metric, 'type_conflict', `${taken.names.text} (${taken.type})`);
        return undefined;
      }
      const created = new Family(names, type, description, metric.descriptor.name);
      this.families.set(names.openMetrics, created);
      for (const n of exposed) this.owners.set(n, created);
      return created;
    }
    if (family.type !== type || family.names.text !== names.text) {
      result.firstRejection ??= rejection(metric, 'type_conflict', `${family.names.text} (${family.type})`);
      return undefined;
    }
    if (!family.described && description !== '') family.setHelp(description);
    return family;
  }

  private namesOf(metric: MetricData, type: PromType): MetricNames | undefined {
    const { name, unit } = metric.descriptor;
    const key = `${name}\u0000${unit}\u0000${type}`;
    if (this.names.has(key)) return this.names.get(key);
    const names = metricNames(name, unit, type, {
      namespace: this.options.namespace,
      addSuffixes: this.options.addSuffixes,
    });
    this.names.set(key, names);
    return names;
  }

  private seriesOf(family: Family, attributes: Attributes, scoped: LabelSet, histogram: boolean) {
    let point = this.pointLabels.get(attributes);
    if (point === undefined) {
      const text = attributeLabels(attributes);
      point = { text, names: text === '' ? [] : Object.keys(attributes).map(labelName) };
      this.pointLabels.set(attributes, point);
    }
    let text = point.text;
    let shared = scoped.text;
    if (point.names.length > 0) {
      // A point's own label wins over job/instance/scope/const labels of the same name.
      if (point.names.some((n) => scoped.names.has(n))) {
        const own = new Set(point.names);
        shared = scoped.pairs
          .filter(([n]) => !own.has(n))
          .map(([, t]) => t)
          .join(',');
      }
      // `le` belongs to the buckets.
      if (histogram && point.names.includes('le')) text = attributeLabels(attributes, SKIP_LE);
    }
    const key = text === '' ? shared : shared === '' ? text : `${text},${shared}`;
    const series = family.series.get(key);
    if (series !== undefined) return series;
    this.seriesCount++;
    return family.newSeries(key);
  }

  private touchTargetInfo(labels: string, now: number): void {
    const family = this.families.get('target_info') as Family;
    let series = family.series.get(labels) as ScalarSeries | undefined;
    if (series === undefined) {
      series = family.newSeries(labels) as ScalarSeries;
      series.value = 1;
      this.seriesCount++;
    }
    series.updated = now;
  }

  private resourceEntry(resource: Resource): ResourceEntry {
    let entry = this.resources.get(resource);
    if (entry !== undefined) return entry;
    const attributes = resource.attributes;
    const identity = identityLabels(attributes).map(([n, v]): [string, string] => [n, label(n, v)]);
    const converted = this.options.resourceToTelemetry ? attributePairs(attributes) : [];
    entry = {
      labels: labelSet([...identity, ...converted, ...this.constLabels]),
      scopes: new WeakMap(),
    };
    if (this.options.targetInfo) {
      const described = attributePairs(withoutKeys(attributes, IDENTIFYING));
      if (described.length > 0)
        entry.targetInfo = labelSet([...identity, ...described, ...this.constLabels]).text;
    }
    this.resources.set(resource, entry);
    return entry;
  }

  private scopeLabels(resource: ResourceEntry, scope: { name: string; version?: string }): LabelSet {
    let set = resource.scopes.get(scope);
    if (set !== undefined) return set;
    const pairs = scopeLabels(scope).map(([n, v]): [string, string] => [n, label(n, v)]);
    set = labelSet([...pairs, ...resource.labels.pairs]);
    resource.scopes.set(scope, set);
    return set;
  }
}

/**
 * Whether a point moves a series on, and if so its times. A delta point adds onto the series from its
 * first start time; one starting before the series' last end repeats data already added (a batch sent
 * twice) and is skipped. A cumulative point or gauge older than the last one is skipped too.
 */
function takes(series: Series, point: DataPoint<unknown>, delta: boolean): boolean {
  const fresh = series.updated === 0;
  if (delta) {
    if (!fresh && isEarlier(point.startTime, series.end)) return false;
    if (fresh) series.start = point.startTime;
  } else {
    if (!fresh && isEarlier(point.endTime, series.end)) return false;
    series.start = point.startTime;
  }
  series.end = point.endTime;
  return true;
}

const rejection = (metric: MetricData, reason: Rejection, detail = '') => ({
  metric: metric.descriptor.name,
  reason,
  detail,
});

function withoutKeys(attributes: Attributes, keys: ReadonlySet<string>): Attributes {
  const kept: Attributes = {};
  for (const key of Object.keys(attributes)) if (!keys.has(key)) kept[key] = attributes[key];
  return kept;
}

/** Later pairs with a name already present are dropped: identity first, then conversions, then const labels. */
function labelSet(pairs: readonly [string, string][]): LabelSet {
  const seen = new Set<string>();
  const kept: [string, string][] = [];
  for (const pair of pairs) {
    if (seen.has(pair[0])) continue;
    seen.add(pair[0]);
    kept.push(pair);
  }
  return { text: kept.map(([, t]) => t).join(','), pairs: kept, names: seen };
}
