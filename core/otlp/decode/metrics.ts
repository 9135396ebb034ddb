import { ValueType } from '@opentelemetry/api';
import {
  AggregationTemporality,
  type DataPoint,
  DataPointType,
  type ExponentialHistogram,
  type Histogram,
  type MetricData,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import {
  attributes,
  type Converted,
  hrTime,
  type Json,
  list,
  number,
  object,
  objects,
  optionalNumber,
  resourceOf,
  scopeOf,
  text,
} from './values.js';

// OTLP's AggregationTemporality: 1 delta, 2 cumulative (0 unspecified is read as cumulative).
const DELTA = 1;

/**
 * An ExportMetricsServiceRequest as ResourceMetrics. Summary points are rejected: the SDK's metric
 * model has no summaries. Exemplars and metric metadata are not kept.
 */
export function metricsOf(request: Json): Converted<ResourceMetrics> {
  const items: ResourceMetrics[] = [];
  let rejected = 0;
  for (const [r, rm] of objects(request.resourceMetrics, 'resourceMetrics').entries()) {
    const scopeMetrics = objects(object(rm, 'resourceMetrics').scopeMetrics, 'scopeMetrics').map((sm, s) => {
      const metrics: MetricData[] = [];
      for (const metric of objects(object(sm, 'scopeMetrics').metrics, 'metrics')) {
        const summary = object(object(metric, 'metrics').summary, 'summary');
        rejected += objects(summary.dataPoints, 'summary.dataPoints').length;
        const data = metricOf(metric);
        if (data) metrics.push(data);
      }
      return { scope: scopeOf(sm, `resourceMetrics[${r}].scopeMetrics[${s}]`), metrics };
    });
    items.push({ resource: resourceOf(rm, `resourceMetrics[${r}]`), scopeMetrics });
  }
  return { items, rejected, what: 'summary data points (the pipeline has no summary type)' };
}

function metricOf(metric: Json): MetricData | undefined {
  const base = {
    name: text(metric.name, 'metric.name'),
    description: text(metric.description, 'metric.description'),
    unit: text(metric.unit, 'metric.unit'),
  };
  const temporality = (data: Json) =>
    number(data.aggregationTemporality, 'aggregationTemporality') === DELTA
      ? AggregationTemporality.DELTA
      : AggregationTemporality.CUMULATIVE;
  if (metric.sum !== undefined || metric.gauge !== undefined) {
    const sum = metric.sum !== undefined;
    const data = object(sum ? metric.sum : metric.gauge, sum ? 'sum' : 'gauge');
    const raw = objects(data.dataPoints, 'dataPoints');
    // The SDK keeps one value type per metric: int unless a point is a double.
    const isInt = raw.every((p) => object(p, 'dataPoints').asDouble === undefined);
    const descriptor = { ...base, valueType: isInt ? ValueType.INT : ValueType.DOUBLE };
    const dataPoints = raw.map((p) => point(p, number(p.asDouble ?? p.asInt, isInt ? 'asInt' : 'asDouble')));
    if (!sum) {
      return {
        descriptor,
        dataPointType: DataPointType.GAUGE,
        aggregationTemporality: AggregationTemporality.CUMULATIVE,
        dataPoints,
      };
    }
    return {
      descriptor,
      dataPointType: DataPointType.SUM,
      aggregationTemporality: temporality(data),
      isMonotonic: data.isMonotonic === true,
      dataPoints,
    };
  }
  const descriptor = { ...base, valueType: ValueType.DOUBLE };
  if (metric.histogram !== undefined) {
    const data = object(metric.histogram, 'histogram');
    return {
      descriptor,
      dataPointType: DataPointType.HISTOGRAM,
      aggregationTemporality: temporality(data),
      dataPoints: objects(data.dataPoints, 'histogram.dataPoints').map((p) => point(p, histogramOf(p))),
    };
  }
  if (metric.exponentialHistogram !== undefined) {
    const data = object(metric.exponentialHistogram, 'exponentialHistogram');
    return {
      descriptor,
      dataPointType: DataPointType.EXPONENTIAL_HISTOGRAM,
      aggregationTemporality: temporality(data),
      dataPoints: objects(data.dataPoints, 'exponentialHistogram.dataPoints').map((p) =>
        point(p, exponentialOf(p)),
      ),
    };
  }
  return undefined;
}

function point<T>(p: Json, value: T): DataPoint<T> {
  return {
    startTime: hrTime(p.startTimeUnixNano, 'startTimeUnixNano'),
    endTime: hrTime(p.timeUnixNano, 'timeUnixNano'),
    attributes: attributes(p.attributes),
    value,
  };
}

const numbers = (value: unknown, field: string) => list(value, field).map((n) => number(n, field));

function histogramOf(p: Json): Histogram {
  return {
    buckets: {
      boundaries: numbers(p.explicitBounds, 'explicitBounds'),
      counts: numbers(p.bucketCounts, 'bucketCounts'),
    },
    count: number(p.count, 'count'),
    sum: optionalNumber(p.sum, 'sum'),
    min: optionalNumber(p.min, 'min'),
    max: optionalNumber(p.max, 'max'),
  };
}

function exponentialOf(p: Json): ExponentialHistogram {
  const buckets = (value: unknown, field: string) => {
    const b = object(value, field);
    return { offset: number(b.offset, `${field}.offset`), bucketCounts: numbers(b.bucketCounts, field) };
  };
  return {
    count: number(p.count, 'count'),
    sum: optionalNumber(p.sum, 'sum'),
    scale: number(p.scale, 'scale'),
    zeroCount: number(p.zeroCount, 'zeroCount'),
    positive: buckets(p.positive, 'positive'),
    negative: buckets(p.negative, 'negative'),
    min: optionalNumber(p.min, 'min'),
    max: optionalNumber(p.max, 'max'),
  };
}
